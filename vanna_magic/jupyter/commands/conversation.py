"""``%vanna context`` (what a follow-up question carries into the prompt) and ``%vanna reset``."""

from __future__ import annotations

from . import command


@command("context", "the earlier questions and SQL the next follow-up question builds on, as the model sees them")
def context(magic, args) -> None:
    from ...core.config import redact
    from ...core.generate.prompt import history_section
    from ...core.generate.tokens import count_tokens

    session = magic._session()
    turns = session.conversation.recent(redact(session.database().url), session.settings.follow_up_turns)
    if not turns:
        print("no earlier questions on this connection: the next question starts afresh")
        return
    section = history_section(turns)
    print(f"a follow-up question carries the last {len(turns)} turn{'s' if len(turns) != 1 else ''} "
          f"(follow_up_turns = {session.settings.follow_up_turns}), {count_tokens(section)} tokens, "
          "never any rows:\n")
    print(section)


@command("reset", "forget the earlier questions: the next question starts afresh")
def reset(magic, args) -> None:
    count = magic._session().conversation.clear()
    print(f"forgot {count} earlier question{'s' if count != 1 else ''}: the next question starts afresh")
