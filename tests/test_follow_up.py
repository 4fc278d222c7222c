"""Follow-up questions: the previous questions and their SQL (never rows) go into a bounded prompt."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from tests.fakes import FakeModel
from vanna_magic.core.display import render
from vanna_magic.core.errors import VannaError
from vanna_magic.core.generate.conversation import QUESTION_TOKENS, SQL_TOKENS, Conversation, reads_like_follow_up
from vanna_magic.core.generate.prompt import FOLLOW_UP_HEADING, count_message_tokens, history_section
from vanna_magic.core.generate.tokens import count_tokens

FIRST = "Which 5 customers spent the most in 2024?"
SQL_1 = "SELECT name FROM customers ORDER BY customer_id LIMIT 5"
SQL_2 = "SELECT name FROM customers WHERE customer_id > 10 ORDER BY customer_id LIMIT 5"


def _sql(text: str) -> str:
    return f"```sql\n{text}\n```"


@pytest.mark.parametrize("question", [
    "Now only for 2024", "and by region?", "Split by month", "What about 2023?", "only the top 3",
    "by region", "for 2023?", "Show those customers' emails", "the same for last year", "Exclude cancelled orders",
])
def test_reads_like_a_follow_up(question):
    assert reads_like_follow_up(question)


@pytest.mark.parametrize("question", [
    FIRST, "What was the revenue per month in 2024?", "How many customers are there in each region?",
    "Which product categories sold best?", "For each region, what is the average order value over the last year?",
    "", "?",
])
def test_reads_like_a_new_question(question):
    assert not reads_like_follow_up(question)


def test_a_follow_up_carries_the_previous_question_and_sql_but_no_rows(session_factory):
    model = FakeModel([_sql(SQL_1), _sql(SQL_2)])
    session = session_factory(model=model)
    first = session.ask(FIRST)
    second = session.ask("Now only customers after the first ten")
    prompt = model.calls[1][-1]["content"]
    assert f"{FOLLOW_UP_HEADING}\nQuestion: {FIRST}\nSQL: {SQL_1}" in prompt
    assert first.frame["name"].iloc[0] not in prompt  # the rows never reach the model
    assert FOLLOW_UP_HEADING not in model.calls[0][-1]["content"]
    assert second.follows_up == [FIRST]
    assert render.follow_up_line(second).startswith(f"follow-up: built on the previous question “{FIRST}”")
    assert "vanna-follow-up" in render.as_html(second)
    assert second.provenance()["follows_up"] == [FIRST]


def test_new_questions_keep_the_prompt_they_always_had(session_factory):
    """A new question's prompt does not depend on what was asked before (recorded replays stay valid)."""
    alone = FakeModel([_sql(SQL_1)])
    session_factory(model=alone).ask(FIRST)
    after = FakeModel([_sql(SQL_2), _sql(SQL_1)])
    session = session_factory(model=after)
    session.ask("How many customers are there in each region?")
    session.ask(FIRST)
    assert after.calls[1] == alone.calls[0]


def test_flags_override_the_reading(session_factory):
    model = FakeModel([_sql(SQL_1), _sql(SQL_2), _sql(SQL_2)])
    session = session_factory(model=model)
    session.ask(FIRST)
    assert session.ask("Now only customers after the first ten", follow_up=False).follows_up == []
    assert FOLLOW_UP_HEADING not in model.calls[1][-1]["content"]
    assert session.ask("Which customers come after the first ten?", follow_up=True).follows_up == \
        [FIRST, "Now only customers after the first ten"]


def test_follow_up_without_a_previous_question_is_refused(session_factory):
    session = session_factory(model=FakeModel([]))
    with pytest.raises(VannaError, match="there is no previous question on this connection to follow up on"):
        session.ask(FIRST, follow_up=True)


def test_a_follow_up_as_first_question_is_simply_new(session_factory):
    model = FakeModel([_sql(SQL_1)])
    assert session_factory(model=model).ask("Now only for 2024").follows_up == []


def test_failed_questions_and_other_connections_are_not_built_on():
    conversation = Conversation()
    conversation.add("q1", "SELECT 1", "sqlite:///a")
    conversation.add("q2", None, "sqlite:///a")  # no SQL: nothing to build on
    conversation.add("q3", "SELECT 3", "sqlite:///b")
    assert [t.question for t in conversation.recent("sqlite:///a", 3)] == ["q1"]
    assert conversation.for_question("and by region?", None, "sqlite:///b", 3)[0].sql == "SELECT 3"
    assert conversation.clear() == 2 and len(conversation) == 0


def test_the_prompt_stays_bounded_however_long_the_conversation(session_factory):
    long_sql = "SELECT name FROM customers WHERE customer_id IN (" + ", ".join(map(str, range(1, 900))) + ")"
    model = FakeModel(lambda messages: _sql(long_sql))
    session = session_factory(model=model, prompt_budget=2500, follow_up_turns=3)
    session.ask(FIRST)
    for n in range(6):
        session.ask(f"and now only customer {n}?")
    last = model.calls[-1]
    content = last[-1]["content"]
    section = content[content.index(FOLLOW_UP_HEADING):content.index("### Question")]
    assert section.count("Question: ") == 3  # follow_up_turns: the oldest were dropped
    assert "Question: and now only customer 2?" in section and "customer 1?" not in section
    per_turn = QUESTION_TOKENS + SQL_TOKENS + 10
    assert count_tokens(section) <= 3 * per_turn + count_tokens(history_section([])) + 60
    assert "[...]" in section  # each long SQL was cut
    sizes = [count_message_tokens(messages) for messages in model.calls]
    assert max(sizes) <= 2500, sizes
    print(f"prompt tokens per question: {sizes}")


def test_budget_trims_older_turns_before_the_schema(session_factory):
    long_sql = "SELECT name FROM customers WHERE customer_id IN (" + ", ".join(map(str, range(1, 900))) + ")"
    model = FakeModel(lambda messages: _sql(long_sql))
    session = session_factory(model=model, prompt_budget=1200, follow_up_turns=3, top_k=1)
    session.ask(FIRST)
    session.ask("and only customer 1?")
    session.ask("and only customer 2?")
    content = model.calls[-1][-1]["content"]
    assert count_message_tokens(model.calls[-1]) <= 1200
    assert "Question: and only customer 1?" in content  # the latest turn always stays
    assert "### Schema" in content


def test_context_and_reset_commands(shell, capsys):
    magic = shell.magics_manager.registry["VannaMagic"]
    shell.run_cell("%vanna context")
    assert "no earlier questions on this connection" in capsys.readouterr().out
    shell.run_cell("%%ask\nWhat was the revenue per month in 2024?")
    shell.run_cell("%vanna context")
    out = capsys.readouterr().out
    assert "a follow-up question carries the last 1 turn (follow_up_turns = 3)" in out
    assert "never any rows" in out and "Question: What was the revenue per month in 2024?" in out
    shell.run_cell("%vanna reset")
    assert "forgot 1 earlier question" in capsys.readouterr().out
    assert len(magic.session.conversation) == 0


def test_follow_up_flags_in_the_magic(shell):
    magic = shell.magics_manager.registry["VannaMagic"]
    magic.session._model_override = model = FakeModel([_sql(SQL_1), _sql(SQL_2), _sql(SQL_2)])
    with pytest.raises(UsageError, match=r"\[guard\] there is no previous question on this connection"):
        shell.run_cell(f"%%ask --follow-up\n{FIRST}")
    shell.run_cell(f"%%ask\n{FIRST}")
    answer = shell.run_cell("%%ask --follow-up\nWhich customers come after the first ten?").result
    assert answer.follows_up == [FIRST] and FOLLOW_UP_HEADING in model.calls[1][-1]["content"]
    answer = shell.run_cell("%%ask --new\nNow only the next five").result
    assert answer.follows_up == [] and FOLLOW_UP_HEADING not in model.calls[2][-1]["content"]


def test_follow_up_and_new_together_are_refused(shell):
    with pytest.raises(UsageError, match="not allowed with argument"):
        shell.run_cell(f"%%ask --follow-up --new\n{FIRST}")


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_bad_follow_up_turns_setting(session_factory, value):
    with pytest.raises(VannaError, match="follow_up_turns"):
        session_factory(follow_up_turns=value)


@pytest.mark.parametrize("line", ["%vanna reset now", "%vanna context all"])
def test_context_and_reset_take_no_arguments(shell, line):
    with pytest.raises(UsageError, match="unrecognized arguments"):
        shell.run_cell(line)


def test_a_follow_up_keeps_the_row_limit_its_earlier_answer_set(session_factory):
    """A follow-up's words ("now only ...") say nothing of the size its earlier answer had: the limit stays,
    while the same limit on a new question that asks for no number is left out."""
    model = FakeModel([_sql(SQL_1), _sql(SQL_2), _sql(SQL_2)])
    session = session_factory(model=model)
    session.ask(FIRST)
    follow_up = session.ask("Now only customers after the first ten")
    assert follow_up.sql.rstrip().endswith("LIMIT 5") and len(follow_up.frame) == 5
    session.reset_conversation()
    alone = session.ask("List the customers after the first ten by id")
    assert "LIMIT" not in alone.sql.upper() and len(alone.frame) > 5
