"""``%vanna search TEXT``: one ranked list over tables, columns, definitions, documents and examples.

Relevance combines two scores in [0, 1]: the cosine between the query and the item's text
(the configured embedder), and how well the item's name matches the query (the share of the
name's words in the query times the share of the query's words in the name). The larger one
counts in full and the smaller one for :data:`SECOND_WEIGHT`, capped at 1. So ``revenue`` puts
the metric named revenue first, then what talks about revenue. An example's name is its
question, so examples are ranked by cosine alone.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..results import SEARCH_KINDS, Hit
from .embed import content_stems

if TYPE_CHECKING:
    from ..data.schema import Table
    from .base import KnowledgeBase
    from .embed import Embedder

SECOND_WEIGHT = 0.25
POOL = 50  # nearest items by cosine re-scored with the name bonus
_CELL = re.compile(r"(?<!\\)\|")  # a Markdown table cell boundary: a pipe not escaped as \|


@dataclass(frozen=True)
class _Item:
    kind: str
    name: str
    text: str  # what is embedded
    summary: str
    path: str | None = None
    key: str | None = None  # the name matched against the query, when not ``name`` (a table without its schema)


def search(query: str, kb: "KnowledgeBase", tables: Sequence["Table"], embedder: "Embedder", cache_dir: Path,
           *, limit: int = 10, kinds: Sequence[str] = SEARCH_KINDS) -> list[Hit]:
    """The ``limit`` items most relevant to ``query``, best first; ``kinds`` restricts what is searched."""
    return SearchIndex(kb, tables, embedder, cache_dir, kinds).search(query, limit=limit)


class SearchIndex:
    """What :func:`search` reads, built once per catalog and knowledge base: the items, their vectors,
    and the stems of their names (a query is then a lookup, not a pass over every column of a warehouse)."""

    def __init__(self, kb: "KnowledgeBase", tables: Sequence["Table"], embedder: "Embedder", cache_dir: Path,
                 kinds: Sequence[str] = SEARCH_KINDS):
        from .index import load_or_build

        self.embedder = embedder
        self.items = [item for item in _items(kb, tables) if item.kind in kinds]
        self.index = None
        if self.items:
            roots = "\0".join(str(r) for r in kb.roots)
            prefix = "search-" + hashlib.sha256(roots.encode("utf-8", "surrogatepass")).hexdigest()[:10]
            self.index = load_or_build(cache_dir, kb.content_hash, [item.text for item in self.items], embedder,
                                       prefix=prefix)
        self.stems: list[frozenset[str]] = []
        self.postings: dict[str, list[int]] = {}
        for i, item in enumerate(self.items):
            stems = frozenset() if item.kind == "example" else frozenset(content_stems(item.key or item.name))
            self.stems.append(stems)
            for term in stems:
                self.postings.setdefault(term, []).append(i)

    def search(self, query: str, *, limit: int = 10) -> list[Hit]:
        items = self.items
        terms = set(content_stems(query))
        if self.index is None or not query.strip():
            return []
        vector = self.embedder.embed([query])
        named = {i: _share(self.stems[i], terms) for term in terms for i in self.postings.get(term, ())}
        _, ids = self.index.search(vector, POOL)
        candidates = sorted({int(i) for i in ids[0] if i >= 0} | set(named))
        cosines = self.index.vectors(candidates) @ vector[0] if candidates else []
        scored = [(_combine(max(float(c), 0.0), named.get(i, 0.0)), i) for i, c in zip(candidates, cosines)]
        scored.sort(key=lambda pair: (-pair[0], SEARCH_KINDS.index(items[pair[1]].kind), items[pair[1]].name))
        return [Hit(items[i].kind, items[i].name, round(score, 3), items[i].summary, items[i].path)
                for score, i in scored[:limit] if score > 0]


def _combine(a: float, b: float) -> float:
    return min(1.0, max(a, b) + SECOND_WEIGHT * min(a, b))


def _name_match(name: str, terms: set[str]) -> float:
    """Share of the stems of ``name`` in the query times share of the query's stems in ``name``.

    >>> _name_match("order_items", {"item", "order"}), _name_match("orders", {"order", "status"})
    (1.0, 0.5)
    """
    return _share(set(content_stems(name)), terms)


def _share(stems: "set[str] | frozenset[str]", terms: set[str]) -> float:
    if not stems or not terms:
        return 0.0
    common = len(stems & terms)
    return common / len(stems) * common / len(terms)


def _items(kb: "KnowledgeBase", tables: Sequence["Table"]) -> list[_Item]:
    docs = {d.table.lower(): d for d in kb.documents if d.table}
    items: list[_Item] = []
    several = len({table.schema for table in tables}) > 1  # then a table is named with its schema
    for table in tables:
        doc = docs.get(table.name.lower())
        opening = _opening(doc.text) if doc else ""
        about = table.comment or opening
        name = f"{table.schema}.{table.name}" if several and table.schema else table.name
        items.append(_Item("table", name, " ".join(filter(None, [table.name, table.comment, opening])),
                           f"{len(table.columns)} columns" + (f": {about}" if about else ""),
                           doc.path if doc else None, table.name))
        for column in table.columns:
            described = column.comment or (_column_row(doc.text, column.name) if doc else "")
            items.append(_Item("column", f"{name}.{column.name}",
                               " ".join(filter(None, [column.name, table.name, column.type, described])),
                               f"{column.type}" + (f": {described}" if described else ""), None,
                               f"{table.name}.{column.name}"))
    for d in kb.definitions:
        items.append(_Item(d.kind, d.name, d.text, d.description or d.text, d.path))
    for doc in kb.documents:
        items.append(_Item("doc", doc.title, f"{doc.title} {doc.text[:2000]}", _opening(doc.text), doc.path))
    for example in kb.examples:
        items.append(_Item("example", example.question, " ".join(filter(None, [example.question, example.description])),
                           " ".join(example.sql.split())[:160], example.path))
    return items


def _opening(markdown: str) -> str:
    """The first paragraph of a Markdown document that is not a heading, on one line."""
    paragraph: list[str] = []
    for line in markdown.splitlines():
        text = line.strip()
        if text.startswith("#") or text.startswith("|"):
            if paragraph:
                break
            continue
        if not text:
            if paragraph:
                break
            continue
        paragraph.append(text)
    return " ".join(paragraph)[:300]


def _column_row(markdown: str, column: str) -> str:
    """The meaning of ``column`` from a Markdown table row starting with it (the docs' column tables)."""
    for line in markdown.splitlines():
        cells = [c.strip().replace("\\|", "|") for c in _CELL.split(line.strip().strip("|"))]
        if line.lstrip().startswith("|") and cells and cells[0].strip("`") == column:
            return cells[-1][:300] if len(cells) > 1 else ""
    return ""
