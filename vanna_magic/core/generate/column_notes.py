"""Column descriptions in the prompt: next to the columns they describe, not in a second copy of the schema.

A table's document that holds only its title and a column table (``| `col` | type | meaning |``,
what ``vanna-magic import`` writes) repeats the schema; its meanings go into the
``CREATE TABLE`` as column comments instead, and the document leaves the prompt. A
document with prose of its own (caveats, how to join) stays whole. HTML comments, which
are for the file's readers, never reach the model.

>>> from vanna_magic.core.data.schema import Column, Table
>>> from vanna_magic.core.knowledge.base import Document
>>> doc = Document("t", "<!-- generated -->\\n# t\\n\\n| column | type | meaning |\\n|---|---|---|\\n"
...                "| `a` | int | Age in years |", table="t")
>>> tables, docs = fold_column_docs([Table("t", (Column("a", "INTEGER"),))], [doc])
>>> tables[0].columns[0].comment, docs
('Age in years', [])
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from ..data.schema import Column, Table
    from ..knowledge.base import Document

_HTML_COMMENT = re.compile(r"<!--.*?-->[ \t]*\n?", re.DOTALL)
_COLUMN_ROW = re.compile(r"\|\s*`?([^`|]+?)`?\s*\|[^|]*\|\s*(.*?)\s*\|")
_HEADER_ROW = re.compile(r"\|\s*column\s*\|", re.IGNORECASE)
_RULE_ROW = re.compile(r"\|[\s|:-]+\|")


def column_meanings(text: str) -> dict[str, str] | None:
    """Column -> meaning when ``text`` is only a heading and a column table; None when it says more."""
    meanings: dict[str, str] = {}
    for line in _HTML_COMMENT.sub("", text).splitlines():
        line = line.strip()
        if not line or line.startswith("#") or _HEADER_ROW.match(line) or _RULE_ROW.fullmatch(line):
            continue
        row = _COLUMN_ROW.fullmatch(line)
        if row is None:
            return None
        if row[2]:
            meanings[row[1].strip().lower()] = row[2]
    return meanings or None


_WORD = re.compile(r"[a-z0-9]+")
_SAYS_VALUES = re.compile(r"\d|['\"‘’“”]|\be\.?g\.?", re.IGNORECASE)
# Words of a description that add nothing to a column's name ("Unique identifier for each author").
_GENERIC = frozenset("a an the of for each every in on to this that is its it which unique identifier id ids "
                     "name number table column key primary value".split())


def restates_name(meaning: str, column: str, table: str) -> bool:
    """Whether ``meaning`` only repeats the column's and table's names ("Last name of the student" on lastname).

    >>> restates_name("Last name of the student", "lastname", "student"), restates_name("Cumulative GPA", "gpa", "s")
    (True, False)
    """
    names = f"{column} {table}".lower()
    return all(w in _GENERIC or w in names or w.rstrip("s") in names for w in _WORD.findall(meaning.lower()))


def fold_column_docs(tables: Sequence["Table"], documents: Sequence["Document"]
                     ) -> tuple[list["Table"], list["Document"]]:
    """``tables`` with the column meanings of their column-table documents; the documents left to show."""
    position = {t.name.lower(): i for i, t in enumerate(tables)}
    tables, kept = list(tables), []
    for doc in documents:
        i = position.get((doc.table or "").rpartition(".")[2].lower())
        meanings = column_meanings(doc.text) if i is not None else None
        if meanings is None:
            text = _HTML_COMMENT.sub("", doc.text)
            kept.append(doc if text == doc.text else dataclasses.replace(doc, text=text))
            continue
        table = tables[i]
        columns = tuple(c if c.comment or c.name.lower() not in meanings
                        or restates_name(meanings[c.name.lower()], c.name, table.name)
                        else dataclasses.replace(c, comment=meanings[c.name.lower()]) for c in table.columns)
        tables[i] = dataclasses.replace(table, columns=columns)
    return tables, kept


def comments_for_question(tables: Sequence["Table"], question: str, named: Sequence[str] = ()
                          ) -> list["Table"]:
    """``tables`` keeping only the column comments the question touches; the others cost tokens and distract.

    A column is touched when the question shares a word with its name or its comment (words that
    name a table, and generic ones like "id", don't count), or when ``named`` (``table.column``,
    from value linking) lists it. A touched comment stays when it says something the schema does
    not: a value, a format or a number (quotes or digits), or two words no table or column name
    holds ("The city where the restaurant is located" on ``city_name`` says neither).

    >>> from vanna_magic.core.data.schema import Column, Table
    >>> t = Table("review", (Column("rating", "REAL", comment="on a scale of 1 to 5"),
    ...                      Column("business_id", "TEXT", comment="The business reviewed by a customer")))
    >>> [c.comment for c in comments_for_question([t], "Average rating per business?")[0].columns]
    ['on a scale of 1 to 5', None]
    """
    from ..knowledge.embed import content_stems

    asked = set(content_stems(question))
    generic = {stem for w in _GENERIC for stem in content_stems(w)}
    ignored = {s for t in tables for s in content_stems(t.name)} | generic
    schema_words = ignored | {s for t in tables for c in t.columns for s in content_stems(c.name)}
    named_columns = {n.lower() for n in named}

    def keep(table: "Table", column: "Column") -> bool:
        comment = column.comment or ""
        if not comment:
            return True
        touched = (f"{table.name}.{column.name}".lower() in named_columns
                   or (set(content_stems(f"{column.name} {comment}")) - ignored) & asked)
        return bool(touched) and (_SAYS_VALUES.search(comment) is not None
                                  or len(set(content_stems(comment)) - schema_words) >= 2)

    kept = []
    for table in tables:
        columns = tuple(c if keep(table, c) else dataclasses.replace(c, comment=None) for c in table.columns)
        kept.append(table if columns == table.columns else dataclasses.replace(table, columns=columns))
    return kept
