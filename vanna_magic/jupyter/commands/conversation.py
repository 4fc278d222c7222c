"""``%vanna context`` (what a follow-up question carries into the prompt) and ``%vanna reset``."""

from __future__ import annotations

from . import command


@command("context", "the earlier questions and SQL the next follow-up question builds on, as the model sees them")
def context(session, args) -> None:
    follow_up = session.follow_up()
    if not follow_up.turns:
        print("no earlier questions on this connection: the next question starts afresh")
        return
    print(f"a follow-up question carries the last {follow_up.turns} turn{'s' if follow_up.turns != 1 else ''} "
          f"(follow_up_turns = {follow_up.most}), {follow_up.tokens} tokens, never any rows:\n")
    print(follow_up.text)


@command("reset", "forget the earlier questions: the next question starts afresh")
def reset(session, args) -> None:
    count = session.reset_conversation()
    print(f"forgot {count} earlier question{'s' if count != 1 else ''}: the next question starts afresh")
