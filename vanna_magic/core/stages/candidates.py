"""Self-consistency: several candidate queries for one prompt, the result most of them agree on wins.

Each candidate is generated (at the configured temperature, which must be above 0),
extracted, checked by the firewall and run. Candidates vote by their result: a hash of
the sorted rows, so column names and row order do not split a vote; without running
(``run=False``) they vote by the statement the firewall would run. Ties go to the
earliest candidate. Model time, tokens and cost, firewall and execution time are the
sums over every candidate.

>>> import pandas as pd
>>> result_key(pd.DataFrame({"a": [2, 1]})) == result_key(pd.DataFrame({"b": [1, 2]}))
True
"""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING, Any

from ..answer import Attempt
from ..errors import GenerationError

if TYPE_CHECKING:
    import pandas as pd

    from ..context import AskContext
    from ..errors import VannaError
    from ..generate.prompt import Prompt


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NULL"
    if isinstance(value, float):
        return repr(round(value, 6) + 0.0)  # -0.0 and 0.0 agree
    return str(value)


def result_key(frame: "pd.DataFrame") -> str:
    """A hash of the rows, sorted, ignoring column names and row order."""
    rows = sorted(tuple(_cell(v) for v in row) for row in frame.itertuples(index=False, name=None))
    return hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()


def run_candidates(ctx: "AskContext", prompt: "Prompt", attempt: Attempt) -> tuple[str, "VannaError | None"]:
    """Generate and run ``settings.candidates`` candidates; the winner fills ``attempt`` and the answer.

    The first candidate is the model's usual answer, the others samples (see
    :class:`~vanna_magic.core.generate.model.LanguageModel`). Returns the winner's model text, or the first
    candidate's text and error when none succeeded. Errors no repair can fix (a timeout, an open circuit
    breaker) are raised at once.
    """
    n = ctx.settings.candidates
    answer = ctx.answer
    results, failures = _sample(ctx, prompt, range(n))
    if not results:
        text, first, exc = failures[0]
        attempt.sql = first.sql
        answer.sql, answer.executed_sql = first.sql, first.executed_sql
        return text, exc
    text, winner, frame, best, distinct = _vote(results)
    attempt.sql, attempt.executed_sql = winner.sql, winner.executed_sql
    attempt.rewrites, attempt.rules = winner.rewrites, winner.rules
    answer.sql, answer.executed_sql, answer.frame = winner.sql, winner.executed_sql, frame
    answer.status = "ok" if ctx.run else "not_run"
    answer.agreement = (best, n)
    failed = f", {len(failures)} failed ({failures[0][2].message.splitlines()[0]})" if failures else ""
    answer.notes.append(f"self-consistency: {best} of {n} candidates agreed on this result "
                        f"({distinct} distinct result{'s' if distinct != 1 else ''}{failed})")
    return text, None


def second_opinions(ctx: "AskContext", prompt: "Prompt", incumbent: "tuple[Attempt, Any] | None") -> bool:
    """Sample ``settings.doubt_candidates`` more candidates for an answer in doubt and let them vote with it.

    ``incumbent``: the answer's attempt and rows (None when every repair failed). The result most runs
    agree on wins (ties: the incumbent); the answer takes its SQL and rows. Whether some result won.
    """
    k = ctx.settings.doubt_candidates
    answer = ctx.answer
    results, failures = _sample(ctx, prompt, range(1, k + 1))
    if incumbent is not None:
        attempt, frame = incumbent
        results.insert(0, ("", attempt, frame, _key(frame, attempt)))
    if not results:
        return False
    _, winner, frame, best, distinct = _vote(results)
    answer.sql, answer.executed_sql, answer.frame = winner.sql, winner.executed_sql, frame
    answer.status = "ok" if ctx.run else "not_run"
    answer.error = None
    total = k + (incumbent is not None)
    answer.agreement = (best, total)
    changed = incumbent is None or winner is not incumbent[0]
    answer.notes.append(f"in doubt, {k} more candidates sampled: {best} of {total} agreed on this result "
                        f"({distinct} distinct result{'s' if distinct != 1 else ''}, {len(failures)} failed)"
                        + ("; it replaces the first answer" if changed else ""))
    return True


def _key(frame: Any, attempt: Attempt) -> str:
    return result_key(frame) if frame is not None else f"sql:{attempt.executed_sql}"


def _sample(ctx: "AskContext", prompt: "Prompt", samples: range) -> tuple[list, list]:
    """Generate, check and run one candidate per sample number: (successes, failures)."""
    from .generation import REPAIRABLE, generate, run_completion

    answer = ctx.answer
    results: list[tuple[str, Attempt, Any, str]] = []  # (text, attempt, frame, vote key)
    failures: list[tuple[str, Attempt, "VannaError"]] = []
    for sample in samples:
        text = generate(ctx, prompt, sample=sample).text
        candidate = Attempt(sql=None)
        answer.frame = None
        try:
            run_completion(ctx, candidate, text)
        except (GenerationError, *REPAIRABLE) as exc:
            candidate.error, candidate.stage, candidate.rule = exc.message, exc.stage, getattr(exc, "rule", None)
            failures.append((text, candidate, exc))
            continue
        results.append((text, candidate, answer.frame, _key(answer.frame, candidate)))
    return results, failures


def _vote(results: list) -> tuple[str, Attempt, Any, int, int]:
    """The result most candidates agree on (ties: the earliest): its text, attempt, rows, votes, distinct results."""
    votes: dict[str, int] = {}
    for *_, key in results:
        votes[key] = votes.get(key, 0) + 1
    best = max(votes.values())
    text, winner, frame, _ = next(r for r in results if votes[r[3]] == best)
    return text, winner, frame, best, len(votes)
