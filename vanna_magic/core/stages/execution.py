"""Checking and running a statement: the firewall (and the cost guard), then the read-only executor, or
the planner alone when the question is not to be run."""

from __future__ import annotations

from ..answer import Answer, Attempt
from ..context import AskContext, fail, timed
from ..errors import VannaError
from ..ops.health import guarded


def check(ctx: AskContext, attempt: Attempt) -> None:
    with timed(ctx.answer, "firewall"):
        attempt.executed_sql = ctx.firewall.enforce(attempt.sql or "")
    ctx.answer.executed_sql = attempt.executed_sql
    if ctx.run and ctx.settings.max_query_cost is not None:
        guard_cost(ctx, attempt.executed_sql)


def guard_cost(ctx: AskContext, sql: str) -> None:
    """Refuse a statement the planner expects to be too expensive (PostgreSQL), before it runs."""
    limit = ctx.settings.max_query_cost
    with timed(ctx.answer, "firewall"):
        cost = guarded(ctx.health, "database",
                       lambda: ctx.database.estimated_cost(sql, timeout=ctx.settings.query_timeout))
    if cost is not None and limit is not None and cost > limit:
        ctx.firewall.reject(
            sql, "cost_guard", f"the planner estimates this statement at cost {cost:,.0f}, above the limit of "
            f"{limit:,.0f} (max_query_cost)", hint="Narrow it (filters on indexed columns, fewer joins, "
            "aggregate before joining) or raise max_query_cost.")


def execute(ctx: AskContext, attempt: Attempt) -> None:
    if not ctx.run:
        # Not run, but planned: SQL that names a missing column fails here and goes back for repair.
        with timed(ctx.answer, "plan"):
            guarded(ctx.health, "database", lambda: ctx.database.plan(
                attempt.executed_sql or "", timeout=ctx.settings.query_timeout))
        ctx.answer.status = "not_run"
        return
    with timed(ctx.answer, "execute"):
        result = guarded(ctx.health, "database", lambda: ctx.database.execute(
            attempt.executed_sql or "", timeout=ctx.settings.query_timeout))
    ctx.answer.frame = result.frame
    ctx.answer.status = "ok"


def run_given_sql(ctx: AskContext, sql: str) -> Answer:
    """Check and run SQL that did not come from the model (an example, or a person's)."""
    attempt = Attempt(sql=sql)
    ctx.answer.attempts.append(attempt)
    ctx.answer.sql = sql
    try:
        check(ctx, attempt)
        execute(ctx, attempt)
    except VannaError as exc:
        fail(ctx, attempt, exc)
        raise
    return ctx.answer


def ties_cut(ctx: AskContext) -> tuple[str, ...]:
    """Whether the answer's ``ORDER BY ... LIMIT 1`` kept one of several rows tied for first place, asked of
    the database with a probe (:func:`~vanna_magic.core.diagnose.shape.tie_probe`) that passes the firewall
    like any statement. Only for the model's answer to a question that states no number; a probe that fails
    says nothing. Each statement is probed once per question (the doubt check and the confidence share it)."""
    from ..diagnose.shape import tie_probe
    from ..rewrite.limit_unasked import numbers_in

    answer = ctx.answer
    if not (ctx.run and answer.status == "ok" and answer.source == "model" and answer.question
            and answer.executed_sql) or numbers_in(answer.question):
        return ()
    if answer.executed_sql not in ctx.ties:
        ctx.ties[answer.executed_sql] = _probe_ties(ctx, tie_probe(answer.executed_sql, ctx.database.dialect))
    return ctx.ties[answer.executed_sql]


def _probe_ties(ctx: AskContext, probe: str | None) -> tuple[str, ...]:
    from ..diagnose.shape import tied

    if probe is None:
        return ()
    try:
        with timed(ctx.answer, "execute"):
            frame = ctx.database.execute(ctx.firewall.enforce(probe), timeout=ctx.settings.query_timeout).frame
    except VannaError:
        return ()
    if not tied(frame):
        return ()
    return ("the question asks for a first or a last, and the answer keeps 1 of several rows tied for it",)
