"""The messages sent to the model: dialect-aware instructions and context under a token budget.

Over budget, context is dropped in this order until it fits: documents, examples
(least similar first), earlier turns of a follow-up (oldest first, never the last one),
definitions beyond the first few, column samples (those of the lowest-ranked tables first),
tables (lowest-ranked first, never the first one).
The system message and the question always stay.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

from ..answer import RepairNote
from ..data.dialects import sqlglot_name, title
from ..diagnose.empty import ONLY_NULLS, OUTER_READ, PLACEHOLDER
from .model import QUESTION_HEADING
from .tokens import count_tokens, truncate_tokens

if TYPE_CHECKING:
    from ..answer import Retrieved, ScoredExample, ValueMatch
    from ..data.schema import Table
    from ..knowledge.base import Definition, Document
    from .conversation import Turn

KEEP_DEFINITIONS = 3  # definitions that survive any budget: the question's own terms rank first
DOCUMENT_TOKENS = 300  # each document is cut to this many tokens

# Each rule carries the topic that makes it worth its tokens; a rule without one always applies
# (syntax the model gets wrong whatever it is asked). A question that touches no topic gets
# only those: a small model follows every instruction it is given, relevant or not.
DIALECT_GUIDANCE: dict[str, list[tuple[str | None, str]]] = {
    "sqlite": [
        ("text", "There is no ILIKE: LIKE is already case-insensitive for ASCII letters."),
        ("ratio", "Integer division truncates: multiply by 1.0 before dividing to get a fraction."),
    ],
    "postgres": [
        ("text", "Use ILIKE for case-insensitive matching."),
        ("order", "NULLs sort last ascending and first descending: add NULLS LAST to a descending order."),
        ("ratio", "Integer division truncates: cast to numeric first (a::numeric / b)."),
        ("round", "ROUND takes numeric: ROUND(x::numeric, 2)."),
    ],
    "oracle": [
        (None, "Limit rows with FETCH FIRST n ROWS ONLY (there is no LIMIT)."),
        (None, "Table aliases take no AS; string comparison is case-sensitive (use UPPER); the empty string is NULL."),
        (None, "Do not end the statement with a semicolon."),
    ],
    "mysql": [
        (None, "Quote identifiers with backticks; there is no FULL OUTER JOIN."),
    ],
    "tsql": [
        (None, "Limit rows with TOP n or OFFSET ... FETCH NEXT n ROWS ONLY (there is no LIMIT)."),
    ],
    "duckdb": [
        ("text", "Use ILIKE for case-insensitive matching."),
    ],
}

# Date functions, shown only when the schema given has date columns (or is unknown): a small
# model told about EXTRACT applies it to a year stored as an integer. SQLite stores dates as
# TEXT: there a TEXT column named like a date counts too (see has_dates).
_AS_STORED = "a year or month stored as a number or text is compared as it is."
DATE_GUIDANCE = {
    "sqlite": "Dates are TEXT 'YYYY-MM-DD' (timestamps 'YYYY-MM-DD HH:MM:SS'): strftime('%Y', col) gives the year, "
              "strftime('%Y-%m', col) the month, date(col, '+1 month') does arithmetic; compare dates as strings.",
    "postgres": f"For DATE/TIMESTAMP columns use EXTRACT(YEAR FROM col), DATE_TRUNC('month', col) and "
                  f"INTERVAL '1 month'; {_AS_STORED}",
    "oracle": "For DATE/TIMESTAMP columns use TO_CHAR(col, 'YYYY-MM'), EXTRACT(YEAR FROM col), TRUNC(col, 'MM') and "
              "ADD_MONTHS; write date literals as DATE '2024-01-31' or TO_DATE('2024-01-31', 'YYYY-MM-DD').",
    "mysql": f"For DATE/DATETIME columns use YEAR(col), DATE_FORMAT(col, '%Y-%m') and DATE_ADD(col, INTERVAL 1 "
             f"MONTH); {_AS_STORED}",
    "tsql": f"For date columns use YEAR(col), DATEPART, DATEADD and FORMAT(col, 'yyyy-MM'); {_AS_STORED}",
    "duckdb": f"For DATE/TIMESTAMP columns use EXTRACT(YEAR FROM col), DATE_TRUNC('month', col) and "
              f"strftime(col, '%Y-%m'); {_AS_STORED}",
}
_DATE_TYPE = re.compile(r"date|time", re.IGNORECASE)
_DATE_NAME = re.compile(r"(?:date|time|timestamp)$|^date|(?:^|_)at$", re.IGNORECASE)  # not "time_zone_code"
_TEXT_TYPE = re.compile(r"^(?:|text|.*char.*|string|clob)$", re.IGNORECASE)

# What a question is about, from its words: which rules it needs.
_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec")
TOPICS = {
    "dates": re.compile(r"\b(?:years?|months?|weeks?|days?|dates?|times?|quarters?|hours?|ago|since|before|after|"
                        r"during|between|recent(?:ly)?|earliest|latest|oldest|newest|daily|weekly|monthly|"
                        r"yearly|annual(?:ly)?|today|yesterday|tomorrow|(?:19|20)\d\d|" + _MONTHS.replace(" ", "|")
                        + r")\b", re.IGNORECASE),
    "ratio": re.compile(r"\b(?:ratios?|percent(?:age)?s?|proportions?|fractions?|rates?|shares?|per|divided|"
                        r"divide)\b|%", re.IGNORECASE),
    "round": re.compile(r"\b(?:round(?:ed|ing)?|decimals?|decimal places?)\b", re.IGNORECASE),
    "text": re.compile(r"\b(?:contains?|containing|includ(?:e|es|ing)|start(?:s|ing)?|begin(?:s|ning)?|ends?|"
                       r"ending|named|called|titled|mention(?:s|ing)?|like|match(?:es|ing)?|words?|keywords?|"
                       r"case)\b|['\"‘’“”]", re.IGNORECASE),
    "order": re.compile(r"\b(?:top|most|least|highest|lowest|largest|smallest|biggest|best|worst|first|last|"
                        r"maximum|minimum|max|min|rank(?:ed|ing)?|order(?:ed)?|sort(?:ed)?|ascending|descending|"
                        r"fewest|greatest|more|less)\b", re.IGNORECASE),
}


def question_topics(text: str | None) -> frozenset[str] | None:
    """The topics of :data:`TOPICS` that ``text`` touches; None (every topic) when there is no text."""
    if text is None:
        return None
    return frozenset(topic for topic, pattern in TOPICS.items() if pattern.search(text))


def has_dates(tables: Sequence["Table"], dialect: str = "") -> bool:
    """Whether the schema shows a DATE/TIME-typed column; True when no schema is known.

    In SQLite, where dates are TEXT, a TEXT column named like a date (``created_at``, ``order_date``) counts.
    """
    text_dates = sqlglot_name(dialect) == "sqlite"
    return not tables or any(
        _DATE_TYPE.search(column.type or "")
        or (text_dates and _TEXT_TYPE.match((column.type or "").strip()) and _DATE_NAME.search(column.name))
        for t in tables for column in t.columns)


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


@dataclass
class _Context:
    tables: list["Table"]
    definitions: list["Definition"]
    documents: list["Document"]
    examples: list["ScoredExample"]
    values: list["ValueMatch"] = field(default_factory=list)
    history: list["Turn"] = field(default_factory=list)  # newest first, so trimming keeps the latest turns
    samples: list[tuple[tuple[str | None, str], dict[str, str]]] = field(default_factory=list)  # in table order


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


def system_message(dialect: str, *, definitions: bool = True, examples: bool = True,
                   dates: bool = True, topics: frozenset[str] | None = None) -> str:
    """The instructions: the lines about definitions, examples and date functions only when they apply.

    With ``topics`` (see :func:`question_topics`), only the dialect rules those topics need and the
    rules that always apply; without, every rule.
    """
    name = title(dialect)
    key = sqlglot_name(dialect)
    guidance = DIALECT_GUIDANCE.get(key, [(None, f"Use only syntax that {name} supports.")])
    if dates and key in DATE_GUIDANCE:
        guidance = [("dates", DATE_GUIDANCE[key]), *guidance]
    rules = [text for topic, text in guidance if topic is None or topics is None or topic in topics]
    ranked = topics is None or "order" in topics
    lines = [
        f"You are a SQL expert. Write one read-only {name} query that answers the question, using only the "
        f"tables and columns of the schema.",
        *(["Where the question uses a term of the team's definitions, use that definition's SQL and filters."]
          if definitions else []),
        *(["Follow the style of the example queries when they fit."] if examples else []),
        *(["For the top N, order the rows, return N, and show the value they are ordered by."] if ranked else []),
        *([f"{name} rules:", *(f"- {line}" for line in rules)] if rules else []),
        "Answer with only the SQL, in one ```sql block.",
    ]
    return "\n".join(lines)


def _asked(question: str, ctx: _Context) -> str:
    """The question and the earlier questions it builds on: what decides the rules and column notes shown."""
    return " ".join([question, *(turn.question or "" for turn in ctx.history)])


def _user_message(question: str, dialect: str, ctx: _Context) -> str:
    from ..data.schema import render_ddl
    from .column_notes import comments_for_question, fold_column_docs
    from .samples import annotate

    tables, documents = fold_column_docs(ctx.tables, ctx.documents)
    tables = comments_for_question(tables, _asked(question, ctx), [c for match in ctx.values for c in match.columns])
    tables = annotate(tables, dict(ctx.samples))
    parts = ["### Schema\n" + (render_ddl(tables, dialect, one_line=True).strip()
                                                          if tables else "(no tables were found)")]
    if ctx.values:
        parts.append("### Values the question names, as stored\n"
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


def _messages(question: str, dialect: str, ctx: _Context,
              repairs: Sequence[RepairNote]) -> list[dict]:
    messages = [{"role": "system", "content": system_message(dialect, dates=has_dates(ctx.tables, dialect),
                                                             definitions=bool(ctx.definitions),
                                                             examples=bool(ctx.examples),
                                                             topics=question_topics(_asked(question, ctx)))},
                {"role": "user", "content": _user_message(question, dialect, ctx)}]
    for note in repairs:
        messages.append({"role": "assistant", "content": f"```sql\n{note.sql.strip()}\n```"})
        if note.empty:
            said = {ONLY_NULLS: "That query returned only NULLs (nothing matched its filters), but the question "
                                "expects values.",
                    PLACEHOLDER: "That query filters on a placeholder, not a value.",
                    OUTER_READ: "That query's IN subquery selects a column its own tables lack: it reads the "
                                "outer query's column instead."}.get(
                        note.error, "That query returned no rows, but the question expects some.")
            messages.append({"role": "user", "content": f"{said}\n"
                             + "".join(f"{hint}\n" for hint in note.hints)
                             + "Check its filters and joins (values, their spelling and case, date formats) and answer "
                             "with only the corrected SQL in a ```sql block."})
            continue
        messages.append({"role": "user", "content": f"That query failed: {note.error.strip()}\n"
                                                    "Fix it and answer with only the corrected SQL in a ```sql block."})
    return messages


def choose_examples(examples: Sequence["ScoredExample"], budget: int) -> list["ScoredExample"]:
    """The examples that fit in ``budget`` tokens, most similar first.

    An example that does not fit is passed over for shorter, less similar ones: one long
    query must not crowd out two short ones, which show as much of how the tables are used.
    ``examples`` are most similar first.
    """
    chosen, used = [], 0
    for scored in examples:
        cost = count_tokens(f"Question: {scored.example.question.strip()}\nSQL: {scored.example.sql.strip()}")
        if used + cost <= budget:
            chosen.append(scored)
            used += cost
    return chosen


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
                 repairs: Sequence[RepairNote] = (), history: Sequence["Turn"] = ()) -> Prompt:
    """Assemble the messages for ``question`` within ``budget`` tokens (see the module docstring).

    Deterministic: the same input gives the same messages and the same ``hash``.
    """
    ctx = _Context(tables=list(retrieved.tables), definitions=list(retrieved.definitions),
                   documents=list(retrieved.documents),
                   examples=sorted(retrieved.examples, key=lambda s: -s.score),  # stable: ties keep their order
                   values=list(getattr(retrieved, "values", ())), history=list(reversed(history)))
    samples = getattr(retrieved, "samples", {})
    ctx.samples = [(key, samples[key]) for key in ((t.schema, t.name) for t in ctx.tables) if key in samples]

    def tokens() -> int:
        return count_message_tokens(_messages(question, dialect, ctx, repairs))

    truncated = False
    # Each stage shrinks one list to its largest prefix that fits; a prefix keeps the most relevant items.
    for attr, floor in (("documents", 0), ("examples", 0), ("history", 1), ("definitions", KEEP_DEFINITIONS),
                        ("samples", 0), ("tables", 1)):
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

    messages = _messages(question, dialect, ctx, repairs)
    canonical = json.dumps(messages, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return Prompt(messages=messages, tokens=count_message_tokens(messages),
                  hash=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
                  tables=[f"{t.schema}.{t.name}" if t.schema else t.name for t in ctx.tables],
                  examples=len(ctx.examples), definitions=len(ctx.definitions), truncated=truncated)
