"""The messages sent to the model: dialect-aware instructions and context under a token budget.

Over budget, context is dropped in this order until it fits: documents, examples
(least similar first), earlier turns of a follow-up (oldest first, never the last one),
definitions beyond the first few, tables (lowest-ranked first, never the first one).
The system message and the question always stay.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

from .llm import QUESTION_HEADING
from .tokens import count_tokens, truncate_tokens

if TYPE_CHECKING:
    from .catalog import Table
    from .conversation import Turn
    from .knowledge import Definition, Document
    from .retrieve import Retrieved, ScoredExample
    from .values import ValueMatch

KEEP_DEFINITIONS = 3  # definitions that survive any budget: the question's own terms rank first
DOCUMENT_TOKENS = 300  # each document is cut to this many tokens

DIALECT_NAMES = {
    "sqlite": "SQLite", "postgresql": "PostgreSQL", "oracle": "Oracle", "mysql": "MySQL", "mariadb": "MariaDB",
    "mssql": "Microsoft SQL Server (T-SQL)", "duckdb": "DuckDB", "snowflake": "Snowflake",
    "bigquery": "BigQuery", "redshift": "Amazon Redshift", "trino": "Trino",
}
_ALIASES = {"postgres": "postgresql", "pg": "postgresql", "tsql": "mssql", "sqlserver": "mssql"}

DIALECT_GUIDANCE = {
    "sqlite": [
        "Dates are TEXT in 'YYYY-MM-DD' (timestamps 'YYYY-MM-DD HH:MM:SS'): use strftime('%Y', col) for the year, "
        "strftime('%Y-%m', col) for the month, date(col, '+1 month') for arithmetic, and compare dates as strings.",
        "There is no ILIKE: LIKE is already case-insensitive for ASCII letters.",
        "Integer division truncates: multiply by 1.0 before dividing to get a fraction.",
        "Limit rows with LIMIT n.",
    ],
    "postgresql": [
        "Use ILIKE for case-insensitive matching; NULLs sort last ascending and first descending (add NULLS LAST).",
        "Integer division truncates: cast to numeric first; ROUND(x::numeric, 2) rounds.",
        "Limit rows with LIMIT n.",
    ],
    "oracle": [
        "Limit rows with FETCH FIRST n ROWS ONLY (there is no LIMIT).",
        "Table aliases take no AS; string comparison is case-sensitive (use UPPER); the empty string is NULL.",
        "Do not end the statement with a semicolon.",
    ],
    "mysql": [
        "Quote identifiers with backticks; limit rows with LIMIT n; there is no FULL OUTER JOIN.",
    ],
    "mssql": [
        "Limit rows with TOP n or OFFSET ... FETCH NEXT n ROWS ONLY (there is no LIMIT).",
    ],
    "duckdb": [
        "Use ILIKE for case-insensitive matching; limit rows with LIMIT n.",
    ],
}
DIALECT_GUIDANCE["mariadb"] = DIALECT_GUIDANCE["mysql"]

# Date functions, shown only when the schema given has DATE/TIME columns (or is unknown): a small
# model told about EXTRACT applies it to a year stored as an integer. SQLite keeps its line in
# DIALECT_GUIDANCE: its dates are TEXT, which column types cannot tell apart.
_AS_STORED = "a year or month stored as a number or text is compared as it is."
DATE_GUIDANCE = {
    "postgresql": f"For DATE/TIMESTAMP columns use EXTRACT(YEAR FROM col), DATE_TRUNC('month', col) and "
                  f"INTERVAL '1 month'; {_AS_STORED}",
    "oracle": "For DATE/TIMESTAMP columns use TO_CHAR(col, 'YYYY-MM'), EXTRACT(YEAR FROM col), TRUNC(col, 'MM') and "
              "ADD_MONTHS; write date literals as DATE '2024-01-31' or TO_DATE('2024-01-31', 'YYYY-MM-DD').",
    "mysql": f"For DATE/DATETIME columns use YEAR(col), DATE_FORMAT(col, '%Y-%m') and DATE_ADD(col, INTERVAL 1 "
             f"MONTH); {_AS_STORED}",
    "mssql": f"For date columns use YEAR(col), DATEPART, DATEADD and FORMAT(col, 'yyyy-MM'); {_AS_STORED}",
    "duckdb": f"For DATE/TIMESTAMP columns use EXTRACT(YEAR FROM col), DATE_TRUNC('month', col) and "
              f"strftime(col, '%Y-%m'); {_AS_STORED}",
}
DATE_GUIDANCE["mariadb"] = DATE_GUIDANCE["mysql"]
_DATE_TYPE = re.compile(r"date|time", re.IGNORECASE)


def has_dates(tables: Sequence["Table"]) -> bool:
    """Whether the schema shows a DATE/TIME-typed column; True when no schema is known."""
    return not tables or any(_DATE_TYPE.search(column.type or "") for t in tables for column in t.columns)


@dataclass
class Prompt:
    """The messages for the model, their token count and what context they kept."""

    messages: list[dict]
    tokens: int
    hash: str
    tables: list[str]
    examples: int
    definitions: int
    truncated: bool


@dataclass(frozen=True)
class RepairNote:
    """A previous attempt and why it failed (a firewall rule or the database's message)."""

    sql: str
    error: str
    empty: bool = False  # the query ran and returned no rows (the model learns nothing else about the data)


@dataclass
class _Context:
    tables: list["Table"]
    definitions: list["Definition"]
    documents: list["Document"]
    examples: list["ScoredExample"]
    values: list["ValueMatch"] = field(default_factory=list)
    history: list["Turn"] = field(default_factory=list)  # newest first, so trimming keeps the latest turns


FOLLOW_UP_HEADING = "### Earlier in this conversation (oldest first)"
FOLLOW_UP_NOTE = ("The question below follows up on these: keep what it does not change (tables, filters, "
                  "grouping, ordering) and change what it asks for.")


def history_section(turns: Sequence["Turn"]) -> str:
    """The earlier questions and their SQL as the model sees them (oldest first); empty without turns."""
    from .conversation import QUESTION_TOKENS, SQL_TOKENS

    if not turns:
        return ""
    pairs = []
    for turn in turns:
        question, _ = truncate_tokens((turn.question or "(SQL written by hand)").strip(), QUESTION_TOKENS)
        sql, cut = truncate_tokens(turn.sql.strip(), SQL_TOKENS)
        pairs.append(f"Question: {question}\nSQL: {sql}{' [...]' if cut else ''}")
    return f"{FOLLOW_UP_HEADING}\n" + "\n\n".join(pairs) + f"\n\n{FOLLOW_UP_NOTE}"


def dialect_key(dialect: str) -> str:
    """``"postgresql+psycopg"`` -> ``"postgresql"``; ``"postgres"`` -> ``"postgresql"``."""
    key = (dialect or "").lower().split("+", 1)[0].strip()
    return _ALIASES.get(key, key)


def dialect_name(dialect: str) -> str:
    """The name people know a dialect by (``SQLite``, ``PostgreSQL``, ``Oracle``...)."""
    key = dialect_key(dialect)
    return DIALECT_NAMES.get(key, key or "standard SQL")


def system_message(dialect: str, max_rows: int, *, definitions: bool = True, examples: bool = True,
                   dates: bool = True) -> str:
    """The instructions; the lines about definitions, examples and date functions only when they apply."""
    name = dialect_name(dialect)
    key = dialect_key(dialect)
    guidance = DIALECT_GUIDANCE.get(key, [f"Use only syntax that {name} supports."])
    if dates and key in DATE_GUIDANCE:
        guidance = [DATE_GUIDANCE[key], *guidance]
    lines = [
        f"You are an expert data analyst. Write ONE read-only SQL query (SELECT or WITH ... SELECT) in the exact "
        f"{name} dialect that answers the user's question.",
        "Use only the tables and columns in the schema given; never invent names.",
        *(["When the question uses a term from the team's definitions, use that definition's SQL and filters."]
          if definitions else []),
        *(["Follow the style of the example queries when they fit."] if examples else []),
        f"Results are capped at {max_rows} rows; when the question asks for the top N, order the rows and return N.",
        f"{name} rules:",
        *(f"- {line}" for line in guidance),
        "Answer with only the SQL, in one ```sql block, with no explanation.",
    ]
    return "\n".join(lines)


def _user_message(question: str, dialect: str, ctx: _Context) -> str:
    from .catalog import render_ddl
    from .column_notes import fold_column_docs

    tables, documents = fold_column_docs(ctx.tables, ctx.documents)
    parts = [f"### Schema ({dialect_name(dialect)})\n" + (render_ddl(tables, dialect).strip()
                                                          if tables else "(no tables were found)")]
    if ctx.values:
        parts.append("### Values the question names, as stored in the database\n"
                     + "\n".join(match.describe() for match in ctx.values))
    if ctx.definitions:
        parts.append("### Definitions\n" + "\n".join(f"- {d.text.strip()}" for d in ctx.definitions))
    if documents:
        docs = []
        for doc in documents:
            text, cut = truncate_tokens(doc.text.strip(), DOCUMENT_TOKENS)
            docs.append(f"#### {doc.title}\n{text.rstrip()}{' [...]' if cut else ''}")
        parts.append("### Documentation\n" + "\n\n".join(docs))
    if ctx.examples:
        pairs = (f"Question: {s.example.question.strip()}\nSQL: {s.example.sql.strip()}" for s in ctx.examples)
        parts.append("### Examples (most similar first)\n" + "\n\n".join(pairs))
    if ctx.history:
        parts.append(history_section(list(reversed(ctx.history))))
    parts.append(f"{QUESTION_HEADING}\n{question.strip()}")
    return "\n\n".join(parts)


def _messages(question: str, dialect: str, max_rows: int, ctx: _Context,
              repairs: Sequence[RepairNote]) -> list[dict]:
    messages = [{"role": "system", "content": system_message(dialect, max_rows, dates=has_dates(ctx.tables),
                                                             definitions=bool(ctx.definitions),
                                                             examples=bool(ctx.examples))},
                {"role": "user", "content": _user_message(question, dialect, ctx)}]
    for note in repairs:
        messages.append({"role": "assistant", "content": f"```sql\n{note.sql.strip()}\n```"})
        if note.empty:
            messages.append({"role": "user", "content": "That query returned no rows, but the question expects some.\n"
                             "Check its filters and joins (values, their spelling and case, date formats) and answer "
                             "with only the corrected SQL in a ```sql block."})
            continue
        messages.append({"role": "user", "content": f"That query failed: {note.error.strip()}\n"
                                                    "Fix it and answer with only the corrected SQL in a ```sql block."})
    return messages


def count_message_tokens(messages: list[dict]) -> int:
    """Tokens over the contents of all ``messages``."""
    return sum(count_tokens(str(m.get("content") or "")) for m in messages)


def _largest_fitting(low: int, high: int, fits: Callable[[int], bool]) -> int:
    """The largest ``n`` in ``[low, high]`` with ``fits(n)`` (monotone), or ``low`` when none fits."""
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return low


def build_prompt(question: str, *, dialect: str, retrieved: "Retrieved", budget: int,
                 repairs: Sequence[RepairNote] = (), max_rows: int = 1000,
                 history: Sequence["Turn"] = ()) -> Prompt:
    """Assemble the messages for ``question`` within ``budget`` tokens (see the module docstring).

    Deterministic: the same input gives the same messages and the same ``hash``.
    """
    ctx = _Context(tables=list(retrieved.tables), definitions=list(retrieved.definitions),
                   documents=list(retrieved.documents),
                   examples=sorted(retrieved.examples, key=lambda s: -s.score),  # stable: ties keep their order
                   values=list(getattr(retrieved, "values", ())), history=list(reversed(history)))

    def tokens() -> int:
        return count_message_tokens(_messages(question, dialect, max_rows, ctx, repairs))

    truncated = False
    # Each stage shrinks one list to its largest prefix that fits; a prefix keeps the most relevant items.
    for attr, floor in (("documents", 0), ("examples", 0), ("history", 1), ("definitions", KEEP_DEFINITIONS),
                        ("tables", 1)):
        if tokens() <= budget:
            break
        items = getattr(ctx, attr)
        floor = min(floor, len(items))
        if len(items) <= floor:
            continue

        def fits(n: int, attr: str = attr, items: list = items) -> bool:
            setattr(ctx, attr, items[:n])
            return tokens() <= budget

        keep = _largest_fitting(floor, len(items) - 1, fits)
        setattr(ctx, attr, items[:keep])
        truncated = True

    messages = _messages(question, dialect, max_rows, ctx, repairs)
    canonical = json.dumps(messages, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return Prompt(messages=messages, tokens=count_message_tokens(messages),
                  hash=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
                  tables=[f"{t.schema}.{t.name}" if t.schema else t.name for t in ctx.tables],
                  examples=len(ctx.examples), definitions=len(ctx.definitions), truncated=truncated)
