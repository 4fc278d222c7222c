"""What :meth:`Session.status() <vanna_magic.core.session.Session.status>` reports: typed, checked now.

The mode and its reason, the health score, which parts answer, the breakers, the history
store, the metrics, the connection, the model and the knowledge base. Front ends read these
fields (the ``%vanna status`` report, the panel's badge, the sidebar's health view); nothing
here imports the engine, so every part of it can build these values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, Mapping

BREAKERS = ("database", "model", "index")  # the parts guarded by a circuit breaker


def clock_text(moment: float) -> str:
    """A moment as status shows it.

    >>> clock_text(0)
    '1970-01-01 00:00:00 UTC'
    """
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class BreakerState:
    """One circuit breaker as it is now (see :class:`~vanna_magic.core.ops.health.CircuitBreaker`)."""

    state: str  # CLOSED | OPEN | HALF_OPEN
    consecutive_failures: int
    failures: int  # consecutive failures that open it
    cooldown: float  # seconds before an open breaker lets a trial call through
    successes: int  # successes that close it again
    opened_at: float | None
    retry_at: float | None  # when it is open
    last_error: str | None


@dataclass(frozen=True)
class StoreState:
    """The history store: where it is and whether history is being kept."""

    path: str
    kept: bool
    problem: str | None


@dataclass(frozen=True)
class Latency:
    """One stage's latency over the last requests."""

    count: int
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class LastDay:
    """Attempts and errors of the last 24 hours, from the store (every kernel sharing it)."""

    attempts: int = 0
    errors: int = 0
    error_rate: float = 0.0
    problem: str | None = None  # why the store could not be read

    def to_dict(self) -> dict[str, Any]:
        if self.problem is not None:
            return {"error": self.problem}
        return {"attempts": self.attempts, "errors": self.errors, "error_rate": self.error_rate}


@dataclass(frozen=True)
class MetricsSnapshot:
    """Counts, latencies per stage, tokens and cost of this process, and the last 24 hours from the store."""

    requests: int
    errors: int
    latency: Mapping[str, Latency]
    prompt_tokens: int
    completion_tokens: int
    tokens: int
    cost: float
    uptime_s: float
    memory_mb: float
    last_24h: LastDay = field(default_factory=LastDay)
    last_errors: tuple[str, ...] = ()  # this process's newest errors, newest first

    def to_dict(self) -> dict[str, Any]:
        """As ``%vanna metrics`` shows it."""
        return {"requests": self.requests, "errors": self.errors,
                "latency": {stage: {"count": v.count, "p50_ms": v.p50_ms, "p95_ms": v.p95_ms}
                            for stage, v in self.latency.items()},
                "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "tokens": self.tokens, "cost": self.cost, "uptime_s": self.uptime_s, "memory_mb": self.memory_mb,
                "last_24h": self.last_24h.to_dict(), "last_errors": list(self.last_errors)}


@dataclass(frozen=True)
class KnowledgeSummary:
    """A knowledge base in numbers: where it was read from, what it holds, which files were skipped and why."""

    roots: tuple[str, ...]
    examples: int
    definitions: int
    documents: int
    problems: tuple[str, ...]

    @classmethod
    def of(cls, kb: Any) -> "KnowledgeSummary":
        """The summary of a :class:`~vanna_magic.core.knowledge.base.KnowledgeBase`."""
        return cls(tuple(str(r) for r in kb.roots), len(kb.examples), len(kb.definitions), len(kb.documents),
                   tuple(str(p) for p in kb.problems))


@dataclass(frozen=True)
class Status:
    """What is connected and configured, and how healthy it is (see DESIGN.md, "Operational modes")."""

    mode: str  # FULL_OPERATIONAL | LIMITED_AI | READ_ONLY | CONFIGURATION | EMERGENCY
    mode_reason: str
    unavailable: tuple[str, ...]  # what does not work in this mode
    next_step: str | None
    health_score: int  # 0-100: the weights of the parts that answer
    parts: Mapping[str, bool]  # database, model, index, store: whether each answers now
    connection: str | None  # the URL, password hidden; None when not even the demo database could be built
    demo: bool
    database: Literal["ok", "unreachable"]
    dialect: str | None
    tables: int | None
    database_error: str | None
    model: str | None
    replay_file: str | None
    knowledge_base: KnowledgeSummary
    index_error: str | None
    breakers: Mapping[str, BreakerState]
    store: StoreState
    metrics: MetricsSnapshot
    role_warning: str | None = None  # the database role can do more than read (vanna_magic.core.data.role)
