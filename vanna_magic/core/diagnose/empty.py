"""When a query that ran is still worth repairing: an empty result to a question that expects rows,
a filter on a placeholder ('YOUR_STATE', see :func:`~vanna_magic.core.diagnose.placeholders.placeholders`),
or an IN subquery that reads the outer query's column (see :func:`~vanna_magic.core.diagnose.outer_reads.outer_reads`).

An empty result is no rows at all, or rows of nothing but NULLs: an aggregate over no rows
(``SELECT AVG(rating) ... WHERE city = 'san francisco'`` when the city is stored
'San Francisco') returns one row holding NULL.

The rule: an empty result goes back to the model (within ``max_repairs``, with the
setting ``repair_empty`` on) unless the question may rightly have no rows — a yes/no
question ("Is there...", "Does...", "Are any...") or one that counts ("How many...",
"the number of...", "count..."), or one asking whether anything exists ("any", "whether",
"exist"). The model is told only that the query returned no rows (or only NULLs), never any data.

>>> expects_rows("Which papers about Machine Learning were published in 2015?")
True
>>> expects_rows("Are there any orders from Oceania?"), expects_rows("How many orders were cancelled?")
(False, False)
>>> import pandas as pd
>>> no_answer(pd.DataFrame({"avg": [None]})), no_answer(pd.DataFrame({"n": [0]}))
('the query returned only NULLs (nothing matched its filters)', None)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from ..answer import RepairNote
    from ..context import AskContext

NO_ROWS = "the query returned no rows"
ONLY_NULLS = "the query returned only NULLs (nothing matched its filters)"
PLACEHOLDER = "the query filters on a placeholder, not a value"
OUTER_READ = "an IN subquery of the query selects a column of the query around it, not of its own tables"

_YES_NO = frozenset("is are was were am does do did has have had can could will would should shall may might".split())
_MAY_BE_EMPTY = re.compile(
    r"\b(how many|number of|count|counts|counting|any|anything|anyone|whether|exists?|existing)\b")
_WORD = re.compile(r"[a-z']+")


def expects_rows(question: str) -> bool:
    """Whether an empty result is probably a wrong query rather than the answer (see the module docstring)."""
    text = question.casefold()
    first = _WORD.search(text)
    if first is not None and first.group() in _YES_NO:
        return False
    return _MAY_BE_EMPTY.search(text) is None


def no_answer(frame: object) -> str | None:
    """:data:`NO_ROWS` or :data:`ONLY_NULLS` when ``frame`` answers nothing; None when it holds a value."""
    if frame is None:
        return None
    if len(frame) == 0:  # type: ignore[arg-type]
        return NO_ROWS
    if len(frame.columns) and bool(frame.isna().all().all()):  # type: ignore[attr-defined]
        return ONLY_NULLS
    return None


def repair_empty(ctx: "AskContext", repairs: Sequence["RepairNote"], *, placeholders: bool = False,
                 outer_reads: bool = False) -> str | None:
    """Why the answer just run is worth a repair, when repairs are left: None when it stands.

    :func:`no_answer` when the question expects rows; :data:`PLACEHOLDER` when the query filters on
    a placeholder (``placeholders``), whatever it returned: no stored value is named 'YOUR_STATE';
    :data:`OUTER_READ` when an IN subquery selects the outer query's column (``outer_reads``, see
    :func:`~vanna_magic.core.diagnose.outer_reads.outer_reads`): it reads the outer row, not its own tables.
    """
    if not (ctx.settings.repair_empty and ctx.run and len(repairs) < ctx.settings.max_repairs):
        return None
    empty = no_answer(ctx.answer.frame) if expects_rows(ctx.question) else None
    return empty or (PLACEHOLDER if placeholders else None) or (OUTER_READ if outer_reads else None)
