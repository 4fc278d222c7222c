"""``ask``: the stages of answering a question, in order, over one :class:`~vanna_magic.core.context.AskContext`.

    check_question → retrieve → (no model: fallback) → build_prompt → generate → rewrite → firewall
    → execute → repair (a failed or doubtful attempt goes back to the model, at most ``max_repairs`` times)

Each stage is one function of :mod:`vanna_magic.core.stages`; the time of every stage is
recorded on the :class:`~vanna_magic.core.answer.Answer` (repairs add to the same stages).
"""

from __future__ import annotations

from .answer import Answer, Attempt, RepairNote
from .confidence import assess
from .context import AskContext, fail
from .errors import ExecutionError, GenerationError, VannaError
from .ops.health import READ_ONLY
from .rewrite import meaningful
from .stages.candidates import run_candidates, second_opinions
from .stages.execution import run_given_sql, ties_cut
from .stages.fallback import answer_from_knowledge_base, answer_while_model_is_down
from .stages.generation import REPAIRABLE, build_prompt, generate, repair_message, run_completion
from .stages.question import check_question
from .stages.retrieval import retrieve, visible_tables


def ask_model(ctx: AskContext) -> Answer:
    """The model's answer, repaired as needed; with ``doubt_candidates``, an answer in doubt (repaired, rewritten,
    empty, shaped otherwise than its question, or failed) gets second opinions: more candidates sampled from the
    first prompt vote with it."""
    if ctx.settings.doubt_candidates < 1 or ctx.settings.candidates > 1:
        return repair_loop(ctx)
    try:
        answer = repair_loop(ctx)
    except (GenerationError, *REPAIRABLE):
        if not second_opinions(ctx, build_prompt(ctx, []), None):
            raise
        return ctx.answer
    if in_doubt(ctx):
        settled = Attempt(sql=answer.sql, executed_sql=answer.executed_sql)
        second_opinions(ctx, build_prompt(ctx, []), (settled, answer.frame))
    return answer


def in_doubt(ctx: AskContext) -> bool:
    """Whether an answer that ran is worth a second opinion: it needed a repair, a rewrite rule changed it, it
    found nothing (no rows, or only NULLs), or its shape is not its question's (a count answered with rows, a
    count of 0, a list with repeated rows, a first place whose ties ``LIMIT 1`` cut:
    :mod:`vanna_magic.core.diagnose.shape`)."""
    from .diagnose.empty import no_answer
    from .diagnose.shape import shape_doubts

    answer = ctx.answer
    if answer.repairs > 0 or any(meaningful(attempt.rewrites, attempt.rules) for attempt in answer.attempts):
        return True
    if answer.status != "ok":
        return False
    return (no_answer(answer.frame) is not None or bool(shape_doubts(answer.question or "", answer.frame))
            or bool(ties_cut(ctx)))


def repair_loop(ctx: AskContext) -> Answer:
    """Generate, check and run, feeding repairable errors and unexpected empty results back to the model."""
    from .diagnose.contradictions import contradictions
    from .diagnose.empty import repair_empty
    from .diagnose.outer_reads import IN_LIST, outer_reads
    from .diagnose.placeholders import placeholders

    repairs: list[RepairNote] = []
    empty: "tuple[Attempt, object] | None" = None  # the last run sent back: the answer if repairs run out
    while True:
        prompt = build_prompt(ctx, repairs)
        attempt = Attempt(sql=None)
        failure = None
        many = ctx.settings.candidates > 1 and not repairs  # repairs are single answers to one error
        if many:
            text, failure = run_candidates(ctx, prompt, attempt)
        else:
            text = generate(ctx, prompt).text
        ctx.answer.attempts.append(attempt)
        try:
            if failure is not None:
                raise failure
            if not many:
                run_completion(ctx, attempt, text)
        except (GenerationError, *REPAIRABLE) as exc:
            fail(ctx, attempt, exc)
            if len(repairs) >= ctx.settings.max_repairs:
                if empty is not None:
                    return keep_empty(ctx, empty)
                raise
            # An answer without SQL: show the model what it said; else the SQL that failed.
            shown = text[:2000] if isinstance(exc, GenerationError) else attempt.sql or ""
            repairs.append(RepairNote(sql=shown, error=repair_message(ctx, exc, attempt)))
            continue
        except VannaError as exc:
            fail(ctx, attempt, exc)
            raise
        sql, dialect = attempt.sql or "", ctx.database.dialect
        guessed = placeholders(sql, dialect, ctx.question)
        outer = outer_reads(sql, dialect, visible_tables(ctx)) if IN_LIST.search(sql) else []
        reason = repair_empty(ctx, repairs, placeholders=bool(guessed), outer_reads=bool(outer))
        if reason is None:
            return ctx.answer
        empty = (attempt, ctx.answer.frame)
        attempt.error, attempt.stage = reason, "execute"
        repairs.append(RepairNote(sql=sql, error=reason, empty=True,
                                  hints=(*contradictions(sql, dialect), *guessed, *outer)))


def keep_empty(ctx: AskContext, empty: "tuple[Attempt, object]") -> Answer:
    """Repairs of a result that ran (empty, or filtered on a placeholder) that all failed: that result stands."""
    attempt, frame = empty
    answer = ctx.answer
    answer.sql, answer.executed_sql, answer.frame = attempt.sql, attempt.executed_sql, frame
    answer.status, answer.error = "ok", None
    answer.notes.append(f"{attempt.error} and its repairs failed; the answer is that query's result")
    return answer


def ask(ctx: AskContext) -> Answer:
    """Answer the question of ``ctx``: the stages in order (see the module docstring), then its confidence."""
    answer = answer_question(ctx)
    answer.confidence = assess(answer, doubts=ties_cut(ctx))
    return answer


def answer_question(ctx: AskContext) -> Answer:
    check_question(ctx)
    model_down = False
    if ctx.health is not None:
        ctx.health.breakers["database"].check()  # EMERGENCY: fail fast, saying since when
        mode = ctx.health.request_mode(model_configured=ctx.model is not None)
        if mode.name == READ_ONLY:
            raise VannaError(f"read-only mode: {mode.reason}, so questions cannot be answered", stage="mode",
                             hint="%%vsql still runs SQL you write; %vanna status says when the parts are retried.")
        model_down = ctx.model is not None and not ctx.health.available("model")
    retrieve(ctx)
    if model_down:
        return answer_while_model_is_down(ctx)
    if ctx.model is None:
        return answer_from_knowledge_base(ctx)
    return ask_model(ctx)


def run_sql(ctx: AskContext, sql: str) -> Answer:
    """Run SQL written by a person through the same firewall and executor."""
    if not sql.strip():
        raise VannaError("the cell has no SQL", hint="Write a SELECT statement below %%vsql.", stage="guard")
    ctx.answer.source = "user"
    try:
        return run_given_sql(ctx, sql.strip())
    except ExecutionError as exc:
        add_schema_help(ctx, exc, sql.strip())
        raise


def add_schema_help(ctx: AskContext, exc: ExecutionError, sql: str) -> None:
    """Give the database's error what the repair loop would tell the model about the schema, as its hint, and
    ``tables``: the known tables the statement reads (a front end offers their schema)."""
    from .diagnose.statement import schema_help

    try:
        notes, read = schema_help(sql, ctx.database.dialect, visible_tables(ctx))
    except VannaError:  # the catalog cannot be read now: the database's own sentence stays alone
        return
    if notes:
        exc.hint = "\n".join(filter(None, [exc.hint, *notes]))
    exc.tables = read
