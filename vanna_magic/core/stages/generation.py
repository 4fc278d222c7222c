"""Generation: the prompt, the model's answer, its SQL extracted and mended by the rewrite rules, then checked
and run; and what the model is told when an attempt goes back for repair."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..answer import Attempt, RepairNote
from ..context import AskContext, timed
from ..errors import ExecutionError, FirewallError, VannaError
from ..ops.health import guarded
from .execution import check, execute
from .retrieval import visible_tables

if TYPE_CHECKING:
    from ..generate.model import Completion
    from ..generate.prompt import Prompt

REPAIRABLE = (FirewallError, ExecutionError)


def build_prompt(ctx: AskContext, repairs: list[RepairNote]) -> "Prompt":
    from ..generate.prompt import build_prompt as build

    with timed(ctx.answer, "prompt"):
        prompt = build(ctx.question, dialect=ctx.database.dialect, retrieved=ctx.answer.retrieved,
                       budget=ctx.settings.prompt_budget, repairs=repairs,
                       history=ctx.history)
    ctx.answer.prompt_hash = prompt.hash
    ctx.answer.prompt_truncated = prompt.truncated
    return prompt


def generate(ctx: AskContext, prompt: "Prompt", sample: int = 0) -> "Completion":
    assert ctx.model is not None
    model = ctx.model
    if ctx.limiter is not None:
        ctx.limiter()
    with timed(ctx.answer, "generate"):
        completion = guarded(ctx.health, "model", lambda: model.complete(prompt.messages, sample=sample))
    answer = ctx.answer
    answer.model = completion.model
    answer.replayed = answer.replayed or completion.replayed
    answer.prompt_tokens += completion.prompt_tokens
    answer.completion_tokens += completion.completion_tokens
    if completion.cost is not None:
        answer.cost = (answer.cost or 0.0) + completion.cost
    return completion


def asked(ctx: AskContext) -> str | None:
    """The question the rewrite rules may read, or None for a follow-up ("now only for 2023"): its SQL builds on
    an earlier answer's SQL (its limit, its columns), which its own words do not describe."""
    return None if ctx.history else ctx.question


def team_sql(ctx: AskContext, sql: str) -> bool:
    """True when ``sql`` is a near-identical knowledge-base example's SQL, as written: the team's own query,
    which the rewrite rules leave as it is (its ``LIMIT 10`` for "the top customers" is the team's reading)."""
    from ..confidence import near_identical_example

    return near_identical_example(ctx.answer.retrieved.examples, sql) is not None


def run_completion(ctx: AskContext, attempt: Attempt, text: str) -> None:
    """Extract the SQL from the model's text, check it and run it."""
    from ..generate.extract import extract_sql

    attempt.sql = extract_sql(text, ctx.database.dialect)
    if ctx.settings.requalify_columns and not team_sql(ctx, attempt.sql):
        from ..rewrite import rewrite, select_rules

        attempt.sql, moved = rewrite(attempt.sql, ctx.database.dialect,
                                     guarded(ctx.health, "database", ctx.catalog.tables),
                                     rules=select_rules(ctx.settings.rewrite_rules), question=asked(ctx),
                                     fired=attempt.rules)
        attempt.rewrites = moved
        ctx.answer.notes += moved
    ctx.answer.sql = attempt.sql
    check(ctx, attempt)
    execute(ctx, attempt)


def repair_message(ctx: AskContext, exc: VannaError, attempt: Attempt) -> str:
    """The error as the model is told it, with what the query got wrong about the schema.

    A qualifier no joined table carries, a column its table does not have (with the table's real
    columns and the tables that have it), a column used as a type it is not, the divisors of a
    division by zero: names and types from the schema and the query, never data.
    """
    if not isinstance(exc, ExecutionError) or not attempt.sql:
        return exc.message
    from ..diagnose.aliases import undefined_aliases
    from ..diagnose.columns import unknown_columns
    from ..diagnose.divisors import zero_divisors
    from ..diagnose.placeholders import placeholders
    from ..diagnose.tables import unknown_tables
    from ..diagnose.types import type_clashes

    dialect, tables = ctx.database.dialect, visible_tables(ctx)
    return "\n".join([exc.message, *unknown_tables(attempt.sql, dialect, tables),
                      *undefined_aliases(attempt.sql, dialect, tables),
                      *unknown_columns(attempt.sql, dialect, tables), *type_clashes(attempt.sql, dialect, tables),
                      *zero_divisors(attempt.sql, dialect, exc.code),
                      *placeholders(attempt.sql, dialect, ctx.question)])
