"""``Answer``: the one result type every front end speaks, and the value types the stages share.

The stages of :mod:`vanna_magic.core.pipeline` hand each other what was retrieved
(:class:`Retrieved`, :class:`ScoredExample`), the values the question names (:class:`ValueMatch`)
and why an attempt goes back to the model (:class:`RepairNote`); they live here, below every
stage, so no stage imports another for a type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .data.schema import Table
from .display.render import PAGE_ROWS
from .knowledge.base import Definition, Document, Example

if TYPE_CHECKING:
    import pandas as pd

PROVENANCE_KEY = "vanna_magic"


@dataclass(frozen=True)
class ValueMatch:
    """A value stored in the database that the question names, and the columns holding it."""

    phrase: str  # the question's words
    where: tuple[tuple[str, str], ...]  # ("table.column", the value as stored there), best first
    score: float  # 1.0: equal ignoring case and punctuation; below: fuzzy similarity

    @property
    def value(self) -> str:
        return self.where[0][1]

    @property
    def column(self) -> str:
        return self.where[0][0]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.where)

    def describe(self) -> str:
        """One prompt line: each column with the value as stored there, as a SQL literal."""
        said = "" if all(value == self.phrase for _, value in self.where) else f'"{self.phrase}": '
        where = ", ".join(f"{column} = '{value.replace(chr(39), chr(39) * 2)}'" for column, value in self.where)
        return f"- {said}{where}" + ("" if self.score >= 1.0 else " (closest stored value)")


@dataclass(frozen=True)
class ScoredExample:
    example: Example
    score: float  # cosine similarity in [-1, 1]


@dataclass
class Retrieved:
    examples: list[ScoredExample] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)  # linked tables plus their foreign-key neighbours
    definitions: list[Definition] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    values: list[ValueMatch] = field(default_factory=list)  # stored values the question names (value linking)
    # (schema, table) -> column -> the note beside it in the prompt (column_samples)
    samples: dict[tuple[str | None, str], dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RepairNote:
    """A previous attempt and why it failed (a firewall rule or the database's message)."""

    sql: str
    error: str
    empty: bool = False  # the query ran: no rows, only NULLs or a placeholder filter (``error`` says which)
    hints: tuple[str, ...] = ()  # what the query's own text shows no row can meet (an empty result's only clue)


HIGH, MEDIUM, LOW = "high", "medium", "low"


@dataclass(frozen=True)
class Confidence:
    """A level (``high``, ``medium``, ``low``) and the reasons that set it, in words a user reads."""

    level: str
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "reasons": list(self.reasons)}


@dataclass
class Attempt:
    """One try at producing a runnable statement: what was generated and how it ended."""

    sql: str | None
    executed_sql: str | None = None
    error: str | None = None
    rule: str | None = None  # the firewall rule, when the firewall rejected it
    stage: str | None = None  # where it failed: generate, firewall, execute
    rewrites: list[str] = field(default_factory=list)  # what the rewrite rules changed in it (one note each)
    rules: list[str] = field(default_factory=list)  # the rule of each of those notes


@dataclass
class Answer:
    """A question (or a statement) and everything that came of it.

    ``frame`` holds the rows (``df`` is an alias); ``sql`` is the statement as
    generated and ``executed_sql`` as the firewall rewrote and ran it.
    """

    question: str | None
    sql: str | None = None
    executed_sql: str | None = None
    dialect: str | None = None
    status: str = "ok"  # ok | not_run | error
    source: str = "model"  # model | knowledge_base | user
    frame: "pd.DataFrame | None" = None
    attempts: list[Attempt] = field(default_factory=list)
    retrieved: Retrieved = field(default_factory=Retrieved)
    model: str | None = None
    replayed: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None
    prompt_hash: str | None = None
    prompt_truncated: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    connection: str | None = None
    max_rows: int | None = None
    preview_rows: int = 10
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    history_id: int | None = None  # the id of this attempt in the history store, when it was kept
    follows_up: list[str] = field(default_factory=list)  # earlier questions this one built on (oldest first)
    agreement: tuple[int, int] | None = None  # (candidates that agreed on the result, candidates run), when several
    confidence: Confidence | None = None  # how far to trust it (core/confidence.py); None when it failed

    @property
    def df(self) -> "pd.DataFrame | None":
        return self.frame

    @property
    def row_count(self) -> int | None:
        return None if self.frame is None else len(self.frame)

    @property
    def capped(self) -> bool:
        """True when the result hit the firewall's row cap, so more rows may exist."""
        return self.max_rows is not None and self.row_count == self.max_rows

    def page(self, n: int, size: int = PAGE_ROWS) -> "pd.DataFrame":
        """Rows of page ``n`` (from 1), ``size`` rows a page.

        Raises:
            VannaError: when there are no rows or page ``n`` does not exist.
        """
        from .errors import VannaError

        if self.frame is None:
            raise VannaError("this answer has no rows to page through", stage="answer",
                             hint="Run the question (without --no-run) first.")
        pages = max(1, -(-len(self.frame) // size))
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= pages:
            raise VannaError(f"page {n!r} does not exist: the answer has {len(self.frame)} rows in {pages} "
                             f"pages of {size}", stage="answer", hint=f"Ask for a page from 1 to {pages}.")
        return self.frame.iloc[(n - 1) * size:n * size]

    @property
    def repairs(self) -> int:
        return max(0, len(self.attempts) - 1)

    @property
    def total_seconds(self) -> float:
        return sum(self.timings.values())

    def provenance(self) -> dict[str, Any]:
        """How this answer was produced, for notebook metadata and history (no secrets, no rows)."""
        return {
            "question": self.question,
            "sql": self.sql,
            "executed_sql": self.executed_sql,
            "dialect": self.dialect,
            "status": self.status,
            "source": self.source,
            "model": self.model,
            "replayed": self.replayed,
            "prompt_hash": self.prompt_hash,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost": self.cost,
            "connection": self.connection,
            "row_count": self.row_count,
            "repairs": self.repairs,
            "confidence": self.confidence.to_dict() if self.confidence is not None else None,
            "follows_up": list(self.follows_up),
            "examples": [
                {"question": s.example.question, "path": s.example.path, "score": round(float(s.score), 4)}
                for s in self.retrieved.examples
            ],
            "tables": [t.name for t in self.retrieved.tables],
            "definitions": [d.name for d in self.retrieved.definitions],
            "timings_ms": {k: round(v * 1000, 1) for k, v in self.timings.items()},
        }

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .display import render

        data = {"text/plain": render.as_text(self), "text/html": render.as_html(self)}
        return data, {"text/html": {PROVENANCE_KEY: self.provenance()}}

    def __repr__(self) -> str:
        rows = "not run" if self.frame is None else f"{self.row_count} rows"
        return f"<Answer {self.status} ({rows}): {self.question or self.sql!r}>"
