"""The semantic layer and the documents of a knowledge base, rendered as one Markdown page.

>>> from vanna_magic.core.knowledge.base import Definition, KnowledgeBase
>>> kb = KnowledgeBase(definitions=[Definition("glossary", "churn", "term churn: ...", description="A lost customer.")])
>>> render_markdown(kb).splitlines()[4:8]
['## Glossary', '', '| term | meaning |', '|---|---|']
"""

from __future__ import annotations

import re
from typing import Sequence

from .base import Definition, Document, KnowledgeBase

_HEADING = re.compile(r"^(#{1,6})(\s)", re.MULTILINE)
_FENCE = re.compile(r"^\s*(```|~~~)")
_SECTIONS = (("metric", "Metrics"), ("dimension", "Dimensions"), ("glossary", "Glossary"),
             ("relationship", "Relationships"))


def render_markdown(kb: KnowledgeBase, topic: str | None = None) -> str:
    """Metrics, dimensions, glossary, relationships and documents of ``kb`` as Markdown.

    With ``topic``, only what concerns it: the definition of that name, the definitions
    using that table, and that table's document.
    """
    definitions, documents = _about(kb, topic) if topic else (kb.definitions, kb.documents)
    title = f"# {topic}" if topic else "# Knowledge base"
    parts = [title, ""]
    if not topic:
        parts += [f"{len(kb.examples)} examples, {len(kb.definitions)} definitions, {len(kb.documents)} documents "
                  f"from {', '.join(f'`{r}`' for r in kb.roots) or 'no folder'}.", ""]
    for kind, heading in _SECTIONS:
        chosen = [d for d in definitions if d.kind == kind]
        if chosen:
            parts += [f"## {heading}", "", *_RENDERERS[kind](chosen), ""]
    if documents:
        parts += ["## Documents", ""]
        for doc in documents:
            parts += [_nested(doc.text.strip(), 2), "", f"<sub>{doc.path}</sub>" if doc.path else "", ""]
    if len(parts) <= 4 and topic:
        parts += [f"Nothing in the knowledge base is about {topic!r}.", ""]
    return "\n".join(parts).rstrip() + "\n"


def _about(kb: KnowledgeBase, topic: str) -> tuple[list[Definition], list[Document]]:
    key = topic.strip().lower()
    definitions = [d for d in kb.definitions if d.name.lower() == key
                   or key in {t.rpartition(".")[2].lower() for t in d.tables}]
    documents = [d for d in kb.documents if (d.table or "").lower() == key or d.title.lower() == key]
    return definitions, documents


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _expressions(definitions: Sequence[Definition]) -> list[str]:
    lines: list[str] = []
    for d in definitions:
        lines += [f"### {d.name}", ""]
        if d.description:
            lines += [d.description, ""]
        lines += ["```sql", (d.sql or "").strip(), "```"]
        extra = []
        if d.filter:
            extra.append(f"only rows where `{_cell(d.filter)}`")
        if d.tables:
            extra.append("tables " + ", ".join(f"`{t}`" for t in d.tables))
        if extra:
            sentence = "; ".join(extra)
            lines += ["", sentence[0].upper() + sentence[1:] + "."]
        lines.append("")
    return lines[:-1]


def _glossary(definitions: Sequence[Definition]) -> list[str]:
    rows = [f"| **{_cell(d.name)}** | {_cell(d.description or d.text)} |" for d in definitions]
    return ["| term | meaning |", "|---|---|", *rows]


def _relationships(definitions: Sequence[Definition]) -> list[str]:
    lines = []
    for d in definitions:
        start, _, end = d.name.partition(" -> ")
        lines.append(f"- `{start}` → `{end}`" + (f": {d.description}" if d.description else ""))
    return lines


_RENDERERS = {"metric": _expressions, "dimension": _expressions, "glossary": _glossary,
              "relationship": _relationships}


def _nested(markdown: str, levels: int) -> str:
    """``markdown`` with its headings pushed down ``levels`` levels (outside code fences), so it nests."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        if not fenced:
            line = _HEADING.sub(lambda m: "#" * min(6, len(m[1]) + levels) + m[2], line)
        out.append(line)
    return "\n".join(out)
