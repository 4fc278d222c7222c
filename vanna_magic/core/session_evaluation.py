"""What a :class:`~vanna_magic.core.session.Session` offers to measure its knowledge base: every example's
question asked with that example held out, judged by execution (:mod:`vanna_magic.core.evaluate`).

The methods run questions through ``Session``'s own context, history and cancellation, which ``Session``
defines; this class only gathers them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .config import redact
from .errors import ConfigurationError
from .session_knowledge import SessionKnowledge

if TYPE_CHECKING:
    from .answer import Answer
    from .evaluate.report import Evaluation, EvaluationProgress, ExampleResult


class SessionEvaluation(SessionKnowledge):
    """The evaluation methods of ``Session``."""

    def evaluate(self, *, limit: int | None = None, sample: int | None = None, seed: int = 0,
                 connection: str | None = None,
                 progress: "Callable[[EvaluationProgress], None] | None" = None) -> "Evaluation":
        """Ask every knowledge-base example's question with that example held out, and compare the result by
        execution with the result of the example's own SQL (:mod:`vanna_magic.core.evaluate`).

        ``limit``: only the first N examples; ``sample``: N of them at random, the same N for the same ``seed``.
        ``progress`` is called after each example. An interrupt ends the run and keeps what was measured.

        Raises:
            ConfigurationError: no examples, no model, or a ``limit`` or ``sample`` that is not a positive integer.
            DatabaseConnectionError: the database does not answer.
            ReplayMissError: the replay file has no response for a prompt.
        """
        from .evaluate.leave_one_out import choose, evaluate

        limit = None if limit is None else positive(limit, "limit")
        sample = None if sample is None else positive(sample, "sample")
        examples, model = self.knowledge_base.examples, self.model
        if not examples:
            folders = ", ".join(f"{root}{'' if root.is_dir() else ' (missing)'}"
                                for root in self.knowledge_roots()) or "none configured"
            raise ConfigurationError(f"the knowledge base has no examples to evaluate (folders: {folders})",
                                     setting="knowledge_base", hint="Add example files (examples/*.sql) or point "
                                     "knowledge_base at the team's folder.")
        if model is None:
            raise ConfigurationError("evaluating the knowledge base needs a language model, and none is configured",
                                     setting="model", hint="Set VANNA_MAGIC_MODEL, or give a replay file of "
                                     "recorded responses (VANNA_MAGIC_REPLAY_FILE).")
        db = self.database(connection)
        db.ping()
        run_example, ask_held_out = self._evaluation_steps(connection)
        return evaluate(choose(examples, limit=limit, sample=sample, seed=seed), run_example=run_example,
                        ask=ask_held_out, dialect=db.dialect, progress=progress, connection=redact(db.url),
                        model=model.name, knowledge_base=tuple(str(root) for root in self.knowledge_roots()))

    def check_example(self, question: str, sql: str, *, connection: str | None = None) -> "ExampleResult":
        """Whether the engine already answers ``question`` with the rows ``sql`` returns, as :meth:`evaluate`
        judges each example (an example of the knowledge base asking the same question is held out)."""
        from .evaluate.leave_one_out import measure
        from .knowledge.base import Example

        if self.model is None:
            raise ConfigurationError("checking an example needs a language model, and none is configured",
                                     setting="model", hint="Set VANNA_MAGIC_MODEL, or add the example unchecked.")
        run_example, ask_held_out = self._evaluation_steps(connection)
        return measure(Example(question, sql), run_example=run_example, ask=ask_held_out,
                       dialect=self.database(connection).dialect)

    def _evaluation_steps(self, connection: str | None):
        """Run an example's own SQL; ask its question with it (and any example asking the same) held out."""
        from .pipeline import ask, run_sql

        def run_example(sql: str) -> Answer:
            ctx = self._context("", run=True, limit=None, connection=connection, for_question=False)
            return self._in_flight(None, lambda: run_sql(ctx, sql))

        def ask_held_out(example) -> Answer:
            ctx = self._context(example.question, run=True, limit=None, connection=connection)
            ctx.retriever = ctx.retriever.holding_out(example)
            return self._in_flight(None, lambda: self._recorded("evaluation", ctx, ask))

        return run_example, ask_held_out


def positive(value: Any, name: str) -> int:
    """``value`` as a positive integer, or a ConfigurationError naming the setting ``name``."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a positive integer, got {value!r}", setting=name) from None
    if number <= 0:
        raise ConfigurationError(f"{name} must be a positive integer, got {value!r}", setting=name)
    if number > 2**63 - 1:  # past that no database holds it
        raise ConfigurationError(f"{name} must be a positive integer up to {2**63 - 1}, got {value!r}", setting=name)
    return number
