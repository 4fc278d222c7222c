"""When a query that ran is still worth repairing: an empty result to a question that expects rows.

The rule: an empty result goes back to the model (within ``max_repairs``, with the
setting ``repair_empty`` on) unless the question may rightly have no rows — a yes/no
question ("Is there...", "Does...", "Are any...") or one that counts ("How many...",
"the number of...", "count..."), or one asking whether anything exists ("any", "whether",
"exist"). The model is told only that the query returned no rows, never any data.

>>> expects_rows("Which papers about Machine Learning were published in 2015?")
True
>>> expects_rows("Are there any orders from Oceania?"), expects_rows("How many orders were cancelled?")
(False, False)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .pipeline import AskContext
    from .prompt import RepairNote

NO_ROWS = "the query returned no rows"

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


def repair_empty(ctx: "AskContext", repairs: Sequence["RepairNote"]) -> bool:
    """Whether the answer just run returned no rows that the question expects, with repairs left to spend."""
    frame = ctx.answer.frame
    return (ctx.settings.repair_empty and ctx.run and frame is not None and len(frame) == 0
            and len(repairs) < ctx.settings.max_repairs and expects_rows(ctx.question))
