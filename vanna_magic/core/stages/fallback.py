"""Answers without the model: a near-identical knowledge-base example answers when no model is configured,
or while the model's circuit breaker is open, and says so."""

from __future__ import annotations

from ..answer import Answer
from ..config import CONFIGURE_A_MODEL
from ..context import AskContext
from ..errors import ModelNotConfiguredError
from ..ops.health import guarded
from .execution import run_given_sql


def answer_from_knowledge_base(ctx: AskContext) -> Answer:
    """With no model: run a near-identical knowledge-base example, or say how to configure a model."""
    match = ctx.retriever.exact_match(ctx.question)
    if match is None:
        closest = ctx.retriever.closest_questions(ctx.question, n=3)
        listing = "\n".join(f"  - {s.example.question} ({s.score:.2f})" for s in closest)
        hint = CONFIGURE_A_MODEL + (f"\nClosest questions the knowledge base can answer without a model:\n{listing}"
                                    if listing else "")
        raise ModelNotConfiguredError(
            "no language model is configured, and the knowledge base has no example close enough to answer "
            "this question", hint=hint, suggestions=[s.example.question for s in closest])
    example = match.example
    ctx.answer.source = "knowledge_base"
    ctx.answer.notes.append(
        f"no model configured: answered with the knowledge-base example {example.path or ''} "
        f"({example.question!r}, similarity {match.score:.2f})")
    return run_given_sql(ctx, example.sql)


def answer_while_model_is_down(ctx: AskContext) -> Answer:
    """LIMITED_AI with the model's breaker open: a near-identical example still answers, and says so."""
    assert ctx.health is not None
    breaker = ctx.health.breakers["model"]
    try:
        match = guarded(ctx.health, "index", lambda: ctx.retriever.exact_match(ctx.question))
    except Exception:  # the index is down too: nothing can answer
        match = None
    if match is None:
        raise breaker.open_error()
    ctx.answer.source = "knowledge_base"
    ctx.answer.notes.append(f"the model is unavailable ({breaker.last_error}): answered with the knowledge-base "
                            f"example {match.example.question!r} (similarity {match.score:.2f})")
    return run_given_sql(ctx, match.example.sql)
