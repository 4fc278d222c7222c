"""Follow-up questions: the last few questions of a session and their SQL, never their rows.

A question builds on the previous ones when asked with ``follow_up=True`` (``%%ask
--follow-up``), never with ``follow_up=False`` (``--new``), and otherwise when it reads like a
follow-up: it opens with a word that continues a thought ("now only for 2024", "and by
region?", "split by month", "what about 2023?") or points back at the last result ("those
customers", "the same for 2023"). Turns on another connection are never used.

>>> reads_like_follow_up("Now only for 2024")
True
>>> reads_like_follow_up("Which 5 customers spent the most in 2024?")
False
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from ..errors import VannaError

KEPT_TURNS = 50  # turns remembered; the follow_up_turns setting decides how many reach the prompt
QUESTION_TOKENS = 100  # each earlier question and SQL is cut to these many tokens in the prompt
SQL_TOKENS = 400

_OPENERS = (
    "now", "and", "also", "then", "but", "only", "just", "same", "instead", "what about", "how about",
    "split", "break it down", "break that down", "break down", "group", "sort", "order them", "order it",
    "filter", "exclude", "excluding", "include", "including", "limit", "restrict", "narrow", "show only",
    "drop", "remove", "without", "add", "keep", "compare", "make it", "change", "again",
)
_SHORT_OPENERS = ("for", "in", "by", "per", "with", "over", "during", "since", "from", "top")
_POINTERS = re.compile(r"\b(those|these|them|the same|the previous|previous (one|query|result|answer)|the above|"
                       r"(that|this|the last) (result|query|list|answer|table|one)|same query)\b")
_WORD = re.compile(r"[a-z0-9']+")


def reads_like_follow_up(question: str) -> bool:
    """Whether ``question`` continues the previous one (see the module docstring)."""
    text = " ".join(_WORD.findall(question.lower()))
    if not text:
        return False
    if any(text == opener or text.startswith(opener + " ") for opener in _OPENERS):
        return True
    if len(text.split()) <= 6 and text.split()[0] in _SHORT_OPENERS:
        return True
    return bool(_POINTERS.search(text))


@dataclass(frozen=True)
class Turn:
    """One earlier question (or hand-written statement) and the SQL that answered it."""

    question: str | None
    sql: str
    connection: str | None = None


class Conversation:
    """The questions of one session, newest last, bounded to :data:`KEPT_TURNS`."""

    def __init__(self) -> None:
        self._turns: deque[Turn] = deque(maxlen=KEPT_TURNS)

    def add(self, question: str | None, sql: str | None, connection: str | None) -> None:
        if sql and sql.strip():
            self._turns.append(Turn(question, sql.strip(), connection))

    def clear(self) -> int:
        """Forget every turn; how many there were."""
        count = len(self._turns)
        self._turns.clear()
        return count

    def recent(self, connection: str | None, n: int) -> list[Turn]:
        """The last ``n`` turns on ``connection``, oldest first."""
        same = [t for t in self._turns if t.connection == connection]
        return same[-n:] if n > 0 else []

    def __len__(self) -> int:
        return len(self._turns)

    def for_question(self, question: str, follow_up: bool | None, connection: str | None, n: int) -> list[Turn]:
        """The turns a question builds on: none for a new question (see the module docstring).

        Raises:
            VannaError: ``follow_up=True`` but nothing was asked on this connection yet.
        """
        if follow_up is False:
            return []
        turns = self.recent(connection, n)
        if follow_up is True and not turns:
            raise VannaError("there is no previous question on this connection to follow up on", stage="guard",
                             hint="Ask the full question first, or drop --follow-up.")
        if follow_up is None and not reads_like_follow_up(question):
            return []
        return turns
