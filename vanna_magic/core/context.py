"""The context one question (or statement) is answered in: what every stage reads and writes.

Built by :class:`~vanna_magic.core.session.Session`, passed explicitly to each stage of
:mod:`vanna_magic.core.pipeline`; :func:`timed` records a stage's time on the answer.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator

from .answer import Answer, Attempt

if TYPE_CHECKING:
    from .config import Settings
    from .data.catalog import Catalog
    from .data.database import Database
    from .errors import VannaError
    from .generate.conversation import Turn
    from .generate.model import LanguageModel
    from .guard import Firewall
    from .knowledge.retrieve import Retriever
    from .ops.health import Health


@dataclass
class AskContext:
    """Everything one question needs; built by :class:`~vanna_magic.core.session.Session`."""

    question: str
    settings: "Settings"
    database: "Database"
    catalog: "Catalog"
    retriever: "Retriever | None"  # None for SQL written by hand
    firewall: "Firewall"
    model: "LanguageModel | None"
    run: bool = True
    answer: Answer = field(default_factory=lambda: Answer(question=None))
    health: "Health | None" = None  # circuit breakers around the database, model and index
    limiter: "Callable[[], None] | None" = None  # called before each model call; raises RateLimitError
    history: "list[Turn]" = field(default_factory=list)  # earlier turns a follow-up builds on (oldest first)
    ties: "dict[str, tuple[str, ...]]" = field(default_factory=dict)  # tie probes' findings by the SQL probed


@contextmanager
def timed(answer: Answer, stage: str) -> Iterator[None]:
    """Time ``stage`` on the answer and report it to the run in flight (:mod:`vanna_magic.core.ops.run`)."""
    from .ops import run

    with run.stage(stage):
        start = time.perf_counter()
        try:
            yield
        finally:
            answer.timings[stage] = answer.timings.get(stage, 0.0) + time.perf_counter() - start


def fail(ctx: AskContext, attempt: Attempt, exc: "VannaError") -> None:
    """Record on the attempt and the answer that ``exc`` ended it (front ends show a failed question's attempts)."""
    attempt.error = exc.message
    attempt.stage = exc.stage
    attempt.rule = getattr(exc, "rule", None)
    ctx.answer.status = "error"
    ctx.answer.error = exc.message
    exc.answer = ctx.answer  # front ends show the attempts of a failed question
