"""The first stage: a question that cannot be asked is refused before anything is spent on it."""

from __future__ import annotations

from ..context import AskContext
from ..errors import VannaError


def check_question(ctx: AskContext) -> None:
    """Reject questions that cannot be asked before spending anything on them."""
    question = ctx.question.strip()
    if not question:
        raise VannaError("the question is empty", hint="Write the question in the cell, e.g. %%ask then "
                         "'Which 5 customers spent the most in 2024?' on the next line.", stage="guard")
    ctx.question = question
    ctx.answer.question = question
