"""How far to trust an answer: ``high``, ``medium`` or ``low``, with the reasons that set it.

Read from signals the pipeline already has, never from the data: the knowledge base (a near-identical
example whose SQL was reused), agreement among candidates, repairs, the rewrite rules that changed the
SQL, an empty or all-NULL result, the question's values and tables that linking could not place.

=====================================================  =============
signal                                                 effect
=====================================================  =============
answered from a knowledge-base example (no model)      high
reused the SQL of a near-identical example             high
every candidate agreed (3 or more)                     high
it found nothing (no rows, only NULLs)                 low
its shape is not the question's (see below)            low
repaired twice or more                                 low
no majority among candidates                           low
a table the question names is not in the SQL           low
a value the question names was not found               low
repaired once                                          medium
a rewrite rule changed what the SQL means              medium
none of the above                                      medium
=====================================================  =============

The shape of a result that ran (:mod:`vanna_magic.core.diagnose.shape`): a count asked and several rows
returned, a count of 0, a list with repeated rows, a result stopped at the row cap, and a first or last
place answered with ``LIMIT 1`` where the database holds a tie for it (one probe query).

A ``low`` reason wins over a ``high`` one. The benchmark (``bench/accuracy``) reports each level's share
of answers and how many were right, so these rules are calibrated, not asserted.

>>> from vanna_magic.core.answer import Answer
>>> assess(Answer(question="How many orders?", sql="SELECT 1", source="knowledge_base")).level
'high'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .answer import HIGH, LOW, MEDIUM, Confidence
from .rewrite import meaningful

if TYPE_CHECKING:
    from .answer import Answer

NEAR_IDENTICAL = 0.9  # an example this similar to the question asks the same thing
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']*")
_QUOTED = re.compile(r"""["“‘']([^"”’']{2,60})["”’']""")


def assess(answer: "Answer", doubts: "tuple[str, ...]" = ()) -> Confidence:
    """The confidence of an answer that ran (or was planned); see the module docstring for the rules.
    ``doubts``: reasons for ``low`` found by asking the database (a first place with ties the answer cut)."""
    from .diagnose.empty import no_answer
    from .diagnose.shape import shape_doubts

    high: list[str] = []
    low: list[str] = []
    medium: list[str] = []
    if answer.source == "knowledge_base":
        high.append("answered with a knowledge-base example")
    elif answer.source == "model":
        reused = _reused_example(answer)
        if reused is not None:
            high.append(f"reused the SQL of a near-identical example ({reused:.2f})")
        if answer.agreement is not None:
            agreed, total = answer.agreement
            if agreed == total and total >= 3:
                high.append(f"all {total} candidates agreed")
            elif agreed * 2 <= total:
                low.append(f"no majority: {agreed} of {total} candidates agreed")
        if answer.repairs >= 2:
            low.append(f"repaired {answer.repairs} times")
        elif answer.repairs == 1:
            medium.append("repaired once")
        rewrites = sum(meaningful(attempt.rewrites, attempt.rules) for attempt in answer.attempts[-1:])
        if rewrites:
            medium.append("a rewrite rule changed the SQL" if rewrites == 1 else f"{rewrites} rewrite rules changed "
                          "the SQL")
        low += _unplaced(answer)
    empty = no_answer(answer.frame) if answer.status == "ok" else None
    if empty is not None:
        low.append("it found nothing" if empty.endswith("no rows") else "it found only NULLs")
    elif answer.status == "ok":
        low += shape_doubts(answer.question or "", answer.frame, capped=answer.capped)
    low += doubts
    if low:
        return Confidence(LOW, tuple(low + medium))
    if high:
        return Confidence(HIGH, tuple(high))
    return Confidence(MEDIUM, tuple(medium) or ("no signal either way",))


def _reused_example(answer: "Answer") -> float | None:
    """The similarity of a near-identical retrieved example whose SQL the answer's SQL is, if any."""
    return near_identical_example(answer.retrieved.examples, answer.sql) if answer.sql else None


def near_identical_example(examples, sql: str) -> float | None:
    """The similarity of the first of ``examples`` (scored) that asks nearly the same question and whose SQL is
    ``sql`` as written (case, spacing and semicolons aside), or None."""
    mine = normalised_sql(sql)
    for scored in examples:
        if scored.score >= NEAR_IDENTICAL and normalised_sql(scored.example.sql) == mine:
            return float(scored.score)
    return None


def normalised_sql(sql: str) -> str:
    """``sql`` with case, spacing and semicolons evened out (for telling the same query written twice)."""
    return " ".join(sql.replace(";", " ").lower().split())


def _unplaced(answer: "Answer") -> list[str]:
    """Tables the question names that the SQL does not read, and quoted values value linking did not find."""
    question, sql = answer.question or "", (answer.sql or "").lower()
    reasons = []
    words = {w.lower() for w in _WORD.findall(question)}
    named = [t.name for t in answer.retrieved.tables
             if t.name.lower() in words or f"{t.name.lower()}s" in words]
    missing = [name for name in named if name.lower() not in sql]
    if missing:
        reasons.append(f"the question names {', '.join(missing)}, which the SQL does not read")
    found = " ".join(match.phrase.lower() for match in answer.retrieved.values)
    values = " ".join(value.lower() for match in answer.retrieved.values for _, value in match.where)
    for quoted in _QUOTED.findall(question):
        text = quoted.strip().lower()
        if text and text not in found and text not in values and text not in sql:
            reasons.append(f"the value {quoted.strip()!r} the question names was not found in the database")
    return reasons
