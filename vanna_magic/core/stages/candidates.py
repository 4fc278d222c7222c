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
from ..errors import ConfigurationError, GenerationError

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

    Returns the winner's model text, or the first candidate's text and error when none succeeded.
    Errors no repair can fix (a timeout, an open circuit breaker) are raised at once.
    """
    from .generation import REPAIRABLE, generate, run_completion

    n = ctx.settings.candidates
    if ctx.settings.temperature <= 0:
        raise ConfigurationError(
            f"candidates = {n} needs a temperature above 0 (it is {ctx.settings.temperature}): "
            "identical candidates cannot disagree", setting="candidates",
            hint="Set temperature to e.g. 0.7, or candidates to 1.")
    answer = ctx.answer
    results: list[tuple[str, Attempt, Any, str]] = []  # (text, attempt, frame, vote key)
    failures: list[tuple[str, Attempt, "VannaError"]] = []
    for _ in range(n):
        text = generate(ctx, prompt).text
        candidate = Attempt(sql=None)
        answer.frame = None
        try:
            run_completion(ctx, candidate, text)
        except (GenerationError, *REPAIRABLE) as exc:
            candidate.error, candidate.stage, candidate.rule = exc.message, exc.stage, getattr(exc, "rule", None)
            failures.append((text, candidate, exc))
            continue
        key = result_key(answer.frame) if answer.frame is not None else f"sql:{candidate.executed_sql}"
        results.append((text, candidate, answer.frame, key))
    if not results:
        text, first, exc = failures[0]
        attempt.sql = first.sql
        answer.sql, answer.executed_sql = first.sql, first.executed_sql
        return text, exc
    votes: dict[str, int] = {}
    for *_, key in results:
        votes[key] = votes.get(key, 0) + 1
    best = max(votes.values())
    text, winner, frame, key = next(r for r in results if votes[r[3]] == best)  # ties: the earliest candidate
    attempt.sql, attempt.executed_sql = winner.sql, winner.executed_sql
    answer.sql, answer.executed_sql, answer.frame = winner.sql, winner.executed_sql, frame
    answer.status = "ok" if ctx.run else "not_run"
    failed = f", {len(failures)} failed ({failures[0][2].message.splitlines()[0]})" if failures else ""
    answer.notes.append(f"self-consistency: {best} of {n} candidates agreed on this result "
                        f"({len(votes)} distinct result{'s' if len(votes) != 1 else ''}{failed})")
    return text, None
