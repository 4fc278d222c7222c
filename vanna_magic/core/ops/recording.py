"""Recording each attempt: whatever happens to a question or statement, it is counted and kept in the history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..errors import VannaError

if TYPE_CHECKING:
    from ..answer import Answer
    from ..context import AskContext
    from .health import Metrics
    from .store import Store


def recorded(kind: str, ctx: "AskContext", run: Callable[["AskContext"], "Answer"], *, metrics: "Metrics",
             store: "Store", user: str) -> "Answer":
    """Run one question or statement (``kind``: question or sql); count it in ``metrics``, keep it in ``store``."""
    failed = True
    stage = None
    try:
        answer = run(ctx)
        failed = False
        return answer
    except VannaError as exc:
        stage = exc.stage
        ctx.answer.status = "error"
        ctx.answer.error = ctx.answer.error or exc.message
        exc.answer = ctx.answer
        raise
    finally:
        answer = ctx.answer
        metrics.observe(answer, failed, stage)
        answer.history_id = store.record_query(answer, kind=kind, stage=stage, user=user)
        told = store.tell()  # a problem with the store is said once, not on every answer
        if told:
            answer.notes.append(told)
