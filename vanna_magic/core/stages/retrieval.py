"""Retrieval: the examples, tables, definitions and documents the prompt is built from, and the values
the question names; only what the role may see, and the schema alone when the index is down."""

from __future__ import annotations

from ..answer import Retrieved
from ..context import AskContext, timed
from ..errors import CircuitOpenError, VannaError
from ..ops.health import guarded


def visible_tables(ctx: AskContext) -> list:
    """The catalog's tables as the model may learn them: only the tables and columns the role may use."""
    tables = guarded(ctx.health, "database", ctx.catalog.tables)
    policy = getattr(ctx.firewall, "policy", None)
    return tables if policy is None else policy.visible_tables(tables)


def retrieve(ctx: AskContext) -> None:
    from ..generate.prompt import choose_examples

    with timed(ctx.answer, "retrieve"):
        tables = visible_tables(ctx)
        policy = getattr(ctx.firewall, "policy", None)
        ctx.answer.retrieved = retrieve_or_degrade(ctx, tables)
        if ctx.settings.value_linking:
            from ..generate.values import link_values

            link_values(ctx, tables)
        if ctx.settings.column_samples:
            from ..generate.samples import attach_samples

            attach_samples(ctx)
        retrieved = ctx.answer.retrieved
        if policy is not None:  # tables came from the visible ones; examples and definitions may name others
            dialect = ctx.firewall.dialect
            from ..guard.policy_apply import can_read, can_use

            retrieved.examples = [s for s in retrieved.examples if can_read(policy, s.example.sql, dialect)]
            retrieved.definitions = [d for d in retrieved.definitions if can_use(policy, d.tables, d.sql, dialect)]
            retrieved.documents = [d for d in retrieved.documents if can_use(policy, (d.table or "",), None, dialect)]
        # What the prompt will show, so that the answer's provenance names exactly those examples.
        retrieved.examples = choose_examples(sorted(retrieved.examples, key=lambda s: -s.score),
                                             ctx.settings.example_budget)


def retrieve_or_degrade(ctx: AskContext, tables: list) -> Retrieved:
    """Retrieval through the index breaker; with the index down the prompt gets the schema alone."""
    from ..knowledge.linking import SMALL_SCHEMA

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
