"""What a knowledge base holds: example questions with their SQL, semantic definitions and documents.

The value types every part of the engine reads; :mod:`vanna_magic.core.knowledge.files` reads them
from a knowledge-base folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KnowledgeBaseError

# Dialects a knowledge base's SQL is parsed in, in turn, when its own dialect is unknown.
PARSE_DIALECTS = (None, "postgres", "sqlite", "oracle")
_APOSTROPHES = re.compile(r"['\u2019`]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


@dataclass(frozen=True)
class Example:
    """A question with the SQL that answers it (one ``*.sql`` file)."""

    question: str
    sql: str
    description: str | None = None
    path: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Definition:
    """A semantic definition: a metric, a dimension, a glossary term or a relationship."""

    kind: str  # "metric" | "dimension" | "glossary" | "relationship"
    name: str
    text: str  # one line a model (and a person) can read, e.g. "revenue: SUM(...) -- meaning"
    sql: str | None = None
    tables: tuple[str, ...] = ()
    path: str | None = None
    description: str | None = None
    filter: str | None = None


@dataclass(frozen=True)
class Document:
    """A Markdown document, usually about one table."""

    title: str
    text: str
    path: str | None = None
    table: str | None = None


@dataclass
class KnowledgeBase:
    """Everything read from the knowledge-base folders, the files that could not be read, and a hash of all."""

    examples: list[Example] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    problems: list[KnowledgeBaseError] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    content_hash: str = ""


def question_key(text: str) -> str:
    """``text`` normalised for exact-match lookups: casefolded, punctuation dropped, whitespace collapsed.

    >>> question_key("  Which 5 Customers'   spent the MOST?! ")
    'which 5 customers spent the most'
    """
    text = _APOSTROPHES.sub("", text.casefold())
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def tables_in_sql(sql: str) -> tuple[tuple[str | None, str], ...]:
    """(schema, table) pairs a knowledge-base query reads, CTE names excluded.

    >>> tables_in_sql("WITH t AS (SELECT * FROM sales.orders) SELECT COUNT(*) FROM t")
    (('sales', 'orders'),)
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    for dialect in PARSE_DIALECTS:
        try:
            tree = sqlglot.parse_one(sql, read=dialect)
        except (ParseError, TokenError):
            continue
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        names = [(t.db or None, t.name) for t in tree.find_all(exp.Table) if t.name and t.name.lower() not in ctes]
        return tuple(dict.fromkeys(names))
    return ()
