"""Leave-one-out over a knowledge base: every example's question asked with that example held out, its result
compared by execution (:mod:`.scorer`) with the result of the example's own SQL.

:func:`evaluate` runs over callables (:meth:`Session.evaluate <vanna_magic.core.session.Session.evaluate>`
gives them): ``run_example(sql)`` runs an example's SQL through the firewall and the read-only executor,
``ask(example)`` asks its question with the example held out. Progress is reported after each example; an
interrupt, the database going away, an open breaker or a rate limit that does not relent stop the run and keep
what was measured (:attr:`Evaluation.stopped <.report.Evaluation.stopped>`). A replay miss or a setting the
run cannot use is raised: it is the run's input that is wrong, not the engine's answer.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from typing import TYPE_CHECKING, Callable, Sequence

from ..errors import (
    CircuitOpenError,
    ConfigurationError,
    DatabaseConnectionError,
    FirewallError,
    QueryCancelledError,
    RateLimitError,
    ReplayMissError,
    VannaError,
)
from .report import (
    EXAMPLE_FAILS,
    EXAMPLE_REJECTED,
    FAILED,
    RIGHT,
    WRONG,
    Evaluation,
    EvaluationProgress,
    ExampleResult,
)
from .scorer import GoldResult, canonical, judge, one_line

if TYPE_CHECKING:
    import pandas as pd

    from ..answer import Answer
    from ..knowledge.base import Example

ROWS_SHOWN = 3  # differing rows kept per side for a wrong answer
STOPPING = (DatabaseConnectionError, CircuitOpenError, RateLimitError, QueryCancelledError)
RAISED = (ReplayMissError, ConfigurationError)
RATE_LIMIT_WAITS = 3  # waits for the rate limit before one question stops the run
MAX_WAIT = 60.0  # seconds of one such wait


def choose(examples: Sequence["Example"], *, limit: int | None = None, sample: int | None = None,
           seed: int = 0) -> list["Example"]:
    """The examples to evaluate: the first ``limit``, or ``sample`` drawn at random (``seed``: the same draw
    every run), in knowledge-base order.

    >>> choose(list("abcdef"), limit=2), choose(list("abcdef"), sample=3) == choose(list("abcdef"), sample=3)
    (['a', 'b'], True)
    """
    chosen = list(examples)
    if limit is not None:
        chosen = chosen[:limit]
    if sample is not None and sample < len(chosen):
        picked = sorted(random.Random(seed).sample(range(len(chosen)), sample))
        chosen = [chosen[i] for i in picked]
    return chosen


def evaluate(examples: Sequence["Example"], *, run_example: Callable[[str], "Answer"],
             ask: Callable[["Example"], "Answer"], dialect: str,
             progress: Callable[[EvaluationProgress], None] | None = None,
             sleep: Callable[[float], None] = time.sleep, **about) -> Evaluation:
    """Each example measured in turn (see the module docstring); ``about``: the run's connection, model...

    A question refused by the rate limit (setting ``rate_limit``) waits until a call is allowed again, at most
    :data:`RATE_LIMIT_WAITS` times :data:`MAX_WAIT` seconds, and is asked again; ``sleep`` waits (a seam for tests).

    Raises:
        ReplayMissError: the replay file has no response for a prompt.
        ConfigurationError: a setting the run cannot use.
    """
    evaluation = Evaluation([], total=len(examples), dialect=dialect, **about)
    start = time.perf_counter()
    try:
        for example in examples:
            for waits in range(RATE_LIMIT_WAITS + 1):
                try:
                    result = measure(example, run_example=run_example, ask=ask, dialect=dialect,
                                     roots=about.get("knowledge_base", ()))
                    break
                except RateLimitError as exc:
                    if waits == RATE_LIMIT_WAITS:
                        raise
                    sleep(min(float(getattr(exc, "retry_after", None) or MAX_WAIT), MAX_WAIT))
            evaluation.results.append(result)
            if progress is not None:
                progress(EvaluationProgress(len(evaluation.results), len(examples), result,
                                            time.perf_counter() - start))
    except KeyboardInterrupt:
        evaluation.stopped = f"interrupted after {len(evaluation.results)} of {len(examples)} examples"
    except STOPPING as exc:
        evaluation.stopped = f"stopped after {len(evaluation.results)} of {len(examples)} examples: {one_line(exc)}"
    evaluation.seconds = time.perf_counter() - start
    return evaluation


def measure(example: "Example", *, run_example: Callable[[str], "Answer"], ask: Callable[["Example"], "Answer"],
            dialect: str, roots: Sequence[str] = ()) -> ExampleResult:
    """One example: its own SQL run, its question asked, the two results compared; ``roots``: the
    knowledge-base folders, for the example's file as it is shown (:func:`shown_path`)."""
    from ..knowledge.base import tables_in_sql

    start = time.perf_counter()
    base = dict(question=example.question, example_sql=example.sql, path=shown_path(example.path, roots),
                tables=tuple(dict.fromkeys(name for _, name in tables_in_sql(example.sql))))
    try:
        ran = run_example(example.sql)
    except RAISED + STOPPING:
        raise
    except VannaError as exc:
        outcome = EXAMPLE_REJECTED if isinstance(exc, FirewallError) else EXAMPLE_FAILS
        return ExampleResult(outcome=outcome, reason=f"the example's own SQL: {_failure(exc)}", **base,
                             seconds=time.perf_counter() - start)
    try:
        answer = ask(example)
    except RAISED + STOPPING:
        raise
    except VannaError as exc:
        failed = getattr(exc, "answer", None)
        return ExampleResult(outcome=FAILED, reason=f"no answer: {_failure(exc)}",
                             sql=getattr(failed, "sql", None), **base, seconds=time.perf_counter() - start)
    confidence = answer.confidence
    base.update(sql=answer.sql, confidence=confidence.level if confidence else None,
                confidence_reasons=tuple(confidence.reasons) if confidence else ())
    expected = ran.frame
    assert expected is not None
    if answer.frame is None:
        return ExampleResult(outcome=FAILED, reason="the answer has no rows to compare", **base,
                             seconds=time.perf_counter() - start)
    verdict = judge([GoldResult(example.sql, expected)], answer.frame, example.question, dialect)
    if verdict.correct:
        return ExampleResult(outcome=RIGHT, **base, seconds=time.perf_counter() - start)
    reason = verdict.reason
    if ran.capped:
        reason += (f"; the example's own result reached the row cap ({ran.max_rows} rows, max_rows), so both "
                   "results may be cut short")
    return ExampleResult(outcome=WRONG, reason=reason, **differing_rows(expected, answer.frame), **base,
                         seconds=time.perf_counter() - start)


def differing_rows(expected: "pd.DataFrame", got: "pd.DataFrame", shown: int = ROWS_SHOWN) -> dict:
    """The first rows of each result the other lacks (values compared as the scorer compares them), as text;
    with the same rows in another order, the first rows of each as they came."""
    expected_rows, got_rows = _rows(expected), _rows(got)
    missing = Counter(expected_rows) - Counter(got_rows)
    extra = Counter(got_rows) - Counter(expected_rows)
    if missing or extra:
        expected_rows, got_rows = _unmatched(expected_rows, missing), _unmatched(got_rows, extra)
    return {"expected_columns": tuple(str(c) for c in expected.columns),
            "expected": tuple(tuple(_text(v) for v in row) for row in expected_rows[:shown]),
            "got_columns": tuple(str(c) for c in got.columns),
            "got": tuple(tuple(_text(v) for v in row) for row in got_rows[:shown])}


def _unmatched(rows: list[tuple], unmatched: Counter) -> list[tuple]:
    """``rows`` in order, keeping each only as many times as ``unmatched`` counts it."""
    kept = []
    for row in rows:
        if unmatched[row] > 0:
            unmatched[row] -= 1
            kept.append(row)
    return kept


def shown_path(path: str | None, roots: Sequence[str] = ()) -> str | None:
    """A file as a person reads it, the same on every machine: relative to the working folder when it is inside
    it, else to its knowledge-base folder (``examples/top_customers.sql``)."""
    if path is None:
        return None
    relative = os.path.relpath(path)
    if not relative.startswith(".."):
        return relative
    for root in roots:
        inside = os.path.relpath(path, root)
        if not inside.startswith(".."):
            return inside
    return path


def _rows(frame: "pd.DataFrame") -> list[tuple]:
    return [tuple(canonical(v) for v in row) for row in frame.itertuples(index=False, name=None)]


def _text(value: object) -> str:
    return "NULL" if value is None else str(value)


def _failure(exc: VannaError) -> str:
    if isinstance(exc, FirewallError):
        return f"rejected by the firewall ({getattr(exc, 'rule', None) or 'a rule'}): {one_line(exc)}"
    return f"failed ({exc.stage}): {one_line(exc)}"
