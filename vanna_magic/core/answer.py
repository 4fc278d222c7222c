"""``Answer``: the one result type every front end speaks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .knowledge.retrieve import Retrieved

if TYPE_CHECKING:
    import pandas as pd

PROVENANCE_KEY = "vanna_magic"
PAGE_ROWS = 500


@dataclass
class Attempt:
    """One try at producing a runnable statement: what was generated and how it ended."""

    sql: str | None
    executed_sql: str | None = None
    error: str | None = None
    rule: str | None = None  # the firewall rule, when the firewall rejected it
    stage: str | None = None  # where it failed: generate, firewall, execute


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
