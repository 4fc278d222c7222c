"""``ask``: guard → retrieve → prompt → generate → firewall → execute, with a bounded repair loop.

Each stage is a function of an explicit :class:`AskContext`; the time of every
stage is recorded on the :class:`Answer` (repairs add to the same stages).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator

from .answer import Answer, Attempt
from .errors import (
    CircuitOpenError,
    ExecutionError,
    FirewallError,
    GenerationError,
    ModelNotConfiguredError,
    VannaError,
)
from .ops.health import READ_ONLY, guarded

if TYPE_CHECKING:
    from .config import Settings
    from .data.catalog import Catalog
    from .data.database import Database
    from .generate.conversation import Turn
    from .generate.model import Completion, LanguageModel
    from .generate.prompt import Prompt, RepairNote
    from .guard import Firewall
    from .knowledge.retrieve import Retrieved, Retriever
    from .ops.health import Health

# Errors the model can fix when shown them; anything else (timeouts, lost
# connections, a missing model) ends the question at once.
REPAIRABLE = (FirewallError, ExecutionError)

CONFIGURE_A_MODEL = """Configure a model (any litellm model string), for example:
  %config VannaMagic.model = "openai/gpt-4o-mini"               # with OPENAI_API_KEY set
  %config VannaMagic.model = "anthropic/claude-3-5-haiku-latest"  # with ANTHROPIC_API_KEY set
  %config VannaMagic.model = "ollama/qwen2.5-coder"; %config VannaMagic.api_base = "http://localhost:11434"
  %config VannaMagic.model = "openai/local-model"; %config VannaMagic.api_base = "http://localhost:1234/v1"  # LM Studio
or set VANNA_MAGIC_MODEL (and VANNA_MAGIC_API_BASE) in the environment,
or model = "..." under [tool.vanna_magic] in pyproject.toml."""


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


def guard(ctx: AskContext) -> None:
    """Reject questions that cannot be asked before spending anything on them."""
    question = ctx.question.strip()
    if not question:
        raise VannaError("the question is empty", hint="Write the question in the cell, e.g. %%ask then "
                         "'Which 5 customers spent the most in 2024?' on the next line.", stage="guard")
    ctx.question = question
    ctx.answer.question = question


def visible_tables(ctx: AskContext) -> list:
    """The catalog's tables as the model may learn them: only the tables and columns the role may use."""
    tables = guarded(ctx.health, "database", ctx.catalog.tables)
    policy = getattr(ctx.firewall, "policy", None)
    return tables if policy is None else policy.visible_tables(tables)


def retrieve(ctx: AskContext) -> None:
    from .generate.prompt import choose_examples

    with timed(ctx.answer, "retrieve"):
        tables = visible_tables(ctx)
        policy = getattr(ctx.firewall, "policy", None)
        ctx.answer.retrieved = _retrieve_or_degrade(ctx, tables)
        if ctx.settings.value_linking:
            from .generate.values import link_values

            link_values(ctx, tables)
        retrieved = ctx.answer.retrieved
        if policy is not None:  # tables came from the visible ones; examples and definitions may name others
            dialect = ctx.firewall.dialect
            from .guard.policy_apply import can_read, can_use

            retrieved.examples = [s for s in retrieved.examples if can_read(policy, s.example.sql, dialect)]
            retrieved.definitions = [d for d in retrieved.definitions if can_use(policy, d.tables, d.sql, dialect)]
            retrieved.documents = [d for d in retrieved.documents if can_use(policy, (d.table or "",), None, dialect)]
        # What the prompt will show, so that the answer's provenance names exactly those examples.
        retrieved.examples = choose_examples(sorted(retrieved.examples, key=lambda s: -s.score),
                                             ctx.settings.example_budget)


def _retrieve_or_degrade(ctx: AskContext, tables: list) -> "Retrieved":
    """Retrieval through the index breaker; with the index down the prompt gets the schema alone."""
    from .knowledge.retrieve import SMALL_SCHEMA, Retrieved

    try:
        return guarded(ctx.health, "index", lambda: ctx.retriever.retrieve(ctx.question, tables,
                                                                            k=ctx.settings.top_k))
    except Exception as exc:
        if ctx.health is None or (isinstance(exc, VannaError) and not isinstance(exc, CircuitOpenError)):
            raise
        reason = exc.message if isinstance(exc, VannaError) else f"{type(exc).__name__}: {exc}"
        ctx.answer.notes.append(f"the knowledge-base index is unavailable ({reason.splitlines()[0]}); "
                                "the prompt has the schema but no retrieved examples or definitions")
        return Retrieved(tables=list(tables)[:SMALL_SCHEMA])


def build_prompt(ctx: AskContext, repairs: "list[RepairNote]") -> "Prompt":
    from .generate.prompt import build_prompt as build

    with timed(ctx.answer, "prompt"):
        prompt = build(ctx.question, dialect=ctx.database.dialect, retrieved=ctx.answer.retrieved,
                       budget=ctx.settings.prompt_budget, repairs=repairs,
                       history=ctx.history)
    ctx.answer.prompt_hash = prompt.hash
    ctx.answer.prompt_truncated = prompt.truncated
    return prompt


def generate(ctx: AskContext, prompt: "Prompt") -> "Completion":
    assert ctx.model is not None
    model = ctx.model
    if ctx.limiter is not None:
        ctx.limiter()
    with timed(ctx.answer, "generate"):
        completion = guarded(ctx.health, "model", lambda: model.complete(prompt.messages))
    answer = ctx.answer
    answer.model = completion.model
    answer.replayed = answer.replayed or completion.replayed
    answer.prompt_tokens += completion.prompt_tokens
    answer.completion_tokens += completion.completion_tokens
    if completion.cost is not None:
        answer.cost = (answer.cost or 0.0) + completion.cost
    return completion


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


def _fail(ctx: AskContext, attempt: Attempt, exc: VannaError) -> None:
    attempt.error = exc.message
    attempt.stage = exc.stage
    attempt.rule = getattr(exc, "rule", None)
    ctx.answer.status = "error"
    ctx.answer.error = exc.message
    exc.answer = ctx.answer  # front ends show the attempts of a failed question


def run_completion(ctx: AskContext, attempt: Attempt, text: str) -> None:
    """Extract the SQL from the model's text, check it and run it."""
    from .generate.extract import extract_sql

    attempt.sql = extract_sql(text, ctx.database.dialect)
    if ctx.settings.requalify_columns:
        from .rewrite.requalify import requalify

        attempt.sql, moved = requalify(attempt.sql, ctx.database.dialect,
                                       guarded(ctx.health, "database", ctx.catalog.tables))
        ctx.answer.notes += moved
    ctx.answer.sql = attempt.sql
    check(ctx, attempt)
    execute(ctx, attempt)


def ask_model(ctx: AskContext) -> Answer:
    """Generate, check and run, feeding repairable errors and unexpected empty results back to the model."""
    from .diagnose.empty import repair_empty
    from .generate.prompt import RepairNote
    from .rewrite.requalify import contradictions, placeholders

    repairs: list[RepairNote] = []
    empty: "tuple[Attempt, object] | None" = None  # the last run sent back: the answer if repairs run out
    while True:
        prompt = build_prompt(ctx, repairs)
        attempt = Attempt(sql=None)
        failure = None
        many = ctx.settings.candidates > 1 and not repairs  # repairs are single answers to one error
        if many:
            from .generate.candidates import run_candidates

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
            _fail(ctx, attempt, exc)
            if len(repairs) >= ctx.settings.max_repairs:
                if empty is not None:
                    return _keep_empty(ctx, empty)
                raise
            # An answer without SQL: show the model what it said; else the SQL that failed.
            shown = text[:2000] if isinstance(exc, GenerationError) else attempt.sql or ""
            repairs.append(RepairNote(sql=shown, error=_repair_message(ctx, exc, attempt)))
            continue
        except VannaError as exc:
            _fail(ctx, attempt, exc)
            raise
        sql, dialect = attempt.sql or "", ctx.database.dialect
        guessed = placeholders(sql, dialect, ctx.question)
        reason = repair_empty(ctx, repairs, placeholders=bool(guessed))
        if reason is None:
            return ctx.answer
        empty = (attempt, ctx.answer.frame)
        attempt.error, attempt.stage = reason, "execute"
        repairs.append(RepairNote(sql=sql, error=reason, empty=True,
                                  hints=(*contradictions(sql, dialect), *guessed)))


def _repair_message(ctx: AskContext, exc: VannaError, attempt: Attempt) -> str:
    """The error as the model is told it, with what the query got wrong about the schema.

    A qualifier no joined table carries, a column its table does not have (with the table's real
    columns and the tables that have it), a column used as a type it is not, the divisors of a
    division by zero: names and types from the schema and the query, never data.
    """
    if not isinstance(exc, ExecutionError) or not attempt.sql:
        return exc.message
    from .rewrite.requalify import placeholders, type_clashes, undefined_aliases, unknown_columns, zero_divisors

    dialect, tables = ctx.database.dialect, visible_tables(ctx)
    return "\n".join([exc.message, *undefined_aliases(attempt.sql, dialect, tables),
                      *unknown_columns(attempt.sql, dialect, tables), *type_clashes(attempt.sql, dialect, tables),
                      *zero_divisors(attempt.sql, dialect, exc.message),
                      *placeholders(attempt.sql, dialect, ctx.question)])


def _keep_empty(ctx: AskContext, empty: "tuple[Attempt, object]") -> Answer:
    """Repairs of a result that ran (empty, or filtered on a placeholder) that all failed: that result stands."""
    attempt, frame = empty
    answer = ctx.answer
    answer.sql, answer.executed_sql, answer.frame = attempt.sql, attempt.executed_sql, frame
    answer.status, answer.error = "ok", None
    answer.notes.append(f"{attempt.error} and its repairs failed; the answer is that query's result")
    return answer


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


def run_given_sql(ctx: AskContext, sql: str) -> Answer:
    """Check and run SQL that did not come from the model (an example, or a person's)."""
    attempt = Attempt(sql=sql)
    ctx.answer.attempts.append(attempt)
    ctx.answer.sql = sql
    try:
        check(ctx, attempt)
        execute(ctx, attempt)
    except VannaError as exc:
        _fail(ctx, attempt, exc)
        raise
    return ctx.answer


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


def ask(ctx: AskContext) -> Answer:
    guard(ctx)
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
    return run_given_sql(ctx, sql.strip())
