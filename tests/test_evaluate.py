"""``Session.evaluate``: a knowledge base's examples asked leave-one-out on the demo database, with FakeModel."""

from __future__ import annotations

import json

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.errors import ConfigurationError, DatabaseConnectionError, ReplayMissError
from vanna_magic.core.evaluate.leave_one_out import choose
from vanna_magic.core.evaluate.report import (
    EXAMPLE_FAILS,
    EXAMPLE_REJECTED,
    FAILED,
    RIGHT,
    WRONG,
    Evaluation,
    ExampleResult,
)
from vanna_magic.core.generate.replay import question_of

EXAMPLES = {
    "orders_by_status.sql": ("How many orders are there per status?",
                             "SELECT status, COUNT(*) AS orders FROM orders GROUP BY status"),
    "customers_per_region.sql": ("How many customers does each region have?",
                                 "SELECT r.name, COUNT(*) AS customers FROM customers c "
                                 "JOIN regions r ON r.region_id = c.region_id GROUP BY r.name"),
    "largest_shipping.sql": ("What is the highest shipping cost?", "SELECT MAX(shipping_cost) FROM orders"),
}


def write_kb(folder, examples=EXAMPLES):
    (folder / "examples").mkdir(parents=True, exist_ok=True)
    for name, (question, sql) in examples.items():
        (folder / "examples" / name).write_text(f"-- Question: {question}\n{sql};\n", encoding="utf-8")
    return folder


def answering(answers: dict[str, str]):
    """A model answering each question with the SQL given for it."""
    return FakeModel(lambda messages: f"```sql\n{answers[question_of(messages)]}\n```")


@pytest.fixture
def kb(tmp_path):
    return write_kb(tmp_path / "kb")


@pytest.fixture
def evaluating(session_factory, kb, tmp_path):
    def make(model, **overrides):
        overrides = {"knowledge_base": str(kb), "user_knowledge_base": str(tmp_path / "nobody"),
                     "max_repairs": 0, **overrides}
        return session_factory(model=model, **overrides)

    return make


def right_answers(examples=EXAMPLES):
    return {question: sql for question, sql in examples.values()}


def prompt_text(messages) -> str:
    return "\n".join(str(m.get("content")) for m in messages)


def test_every_example_is_asked_with_itself_held_out(evaluating):
    model = answering(right_answers())
    session = evaluating(model)
    evaluation = session.evaluate()
    assert [r.outcome for r in evaluation.results] == [RIGHT, RIGHT, RIGHT]
    assert evaluation.accuracy == 1.0 and evaluation.tally == (3, 3)
    assert sorted(model.questions) == sorted(question for question, _ in EXAMPLES.values())
    for messages, question in zip(model.calls, model.questions):
        assert prompt_text(messages).count(question) == 1  # as the question, never as a retrieved example
    others = [other for other, _ in EXAMPLES.values() if any(other in prompt_text(m) for m in model.calls[1:])]
    assert others, "the other examples still reach the prompt"
    # asked outside the evaluation, the question's own example is in its prompt
    question = model.questions[0]
    session.ask(question)
    assert prompt_text(model.calls[-1]).count(question) >= 2


def test_a_wrong_answer_is_reported_with_both_sqls_and_the_first_differing_rows(evaluating):
    answers = right_answers()
    answers["How many orders are there per status?"] = ("SELECT status, COUNT(*) FROM orders "
                                                        "WHERE status <> 'cancelled' GROUP BY status")
    evaluation = evaluating(answering(answers)).evaluate()
    wrong = [r for r in evaluation.results if r.outcome == WRONG]
    assert len(wrong) == 1 and evaluation.tally == (2, 3)
    failure = wrong[0]
    assert failure.sql == answers[failure.question] and failure.example_sql.startswith("SELECT status")
    assert failure.reason and failure.path.endswith("orders_by_status.sql")
    assert failure.expected and any("cancelled" in row for row in failure.expected)
    assert failure.got == ()  # the answer has no row the example lacks, only fewer
    assert evaluation.failures == [failure]
    assert evaluation.by_table()["orders"] == (1, 2)
    assert evaluation.by_table()["regions"] == (1, 1)
    assert sum(t.counted for t in evaluation.by_confidence().values()) == 3
    assert all(r.confidence in ("high", "medium", "low") for r in evaluation.results)


def test_a_question_without_an_answer_counts_as_not_right(evaluating):
    answers = right_answers()
    answers["What is the highest shipping cost?"] = "SELECT MAX(nope) FROM orders"
    evaluation = evaluating(answering(answers)).evaluate()
    failed = [r for r in evaluation.results if r.outcome == FAILED]
    assert len(failed) == 1 and failed[0].sql == "SELECT MAX(nope) FROM orders" and "nope" in failed[0].reason
    assert failed[0].confidence is None and evaluation.by_confidence()["none"] == (0, 1)
    assert evaluation.tally == (2, 3)


def test_examples_whose_own_sql_fails_or_is_rejected_are_reported_and_not_counted(evaluating, kb):
    write_kb(kb, {"broken.sql": ("Which orders have a colour?", "SELECT colour FROM orders"),
                  "forbidden.sql": ("Which extension loads?", "SELECT load_extension('x')")})
    model = answering(right_answers())
    evaluation = evaluating(model).evaluate()
    outcomes = {r.question: r.outcome for r in evaluation.results}
    assert outcomes["Which orders have a colour?"] == EXAMPLE_FAILS
    assert outcomes["Which extension loads?"] == EXAMPLE_REJECTED
    assert evaluation.tally == (3, 3) and evaluation.accuracy == 1.0 and len(evaluation.not_counted) == 2
    assert all("example's own SQL" in r.reason for r in evaluation.not_counted)
    assert len(model.calls) == 3  # their questions were never asked


def test_limit_and_sample_choose_the_examples(evaluating):
    model = answering(right_answers())
    session = evaluating(model)
    assert session.evaluate(limit=2).total == 2 and len(model.calls) == 2
    first = [r.question for r in session.evaluate(sample=2, seed=7).results]
    again = [r.question for r in session.evaluate(sample=2, seed=7).results]
    assert first == again and len(first) == 2
    assert choose(list(range(10)), sample=10) == list(range(10))


@pytest.mark.parametrize("option", ["limit", "sample"])
@pytest.mark.parametrize("value", [0, -1, "many"])
def test_wrong_limits_are_refused(evaluating, option, value):
    model = answering(right_answers())
    with pytest.raises(ConfigurationError, match=f"{option} must be a positive integer"):
        evaluating(model).evaluate(**{option: value})
    assert model.calls == []


def test_an_empty_knowledge_base_is_refused(evaluating, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConfigurationError, match="no examples to evaluate"):
        evaluating(answering({}), knowledge_base=str(empty)).evaluate()


def test_no_model_is_refused(evaluating):
    with pytest.raises(ConfigurationError, match="needs a language model"):
        evaluating(None).evaluate()


def test_an_unreachable_database_is_refused(evaluating):
    model = answering(right_answers())
    with pytest.raises(DatabaseConnectionError):
        evaluating(model, connection="postgresql://nobody@127.0.0.1:1/none").evaluate()
    assert model.calls == []


def test_a_replay_miss_is_raised(evaluating, tmp_path):
    replay = tmp_path / "empty.replay.jsonl"
    replay.write_text(json.dumps({"key": "0" * 64, "model": "fake/model", "response": "SELECT 1"}) + "\n")
    with pytest.raises(ReplayMissError):
        evaluating(None, replay_file=str(replay)).evaluate()


def test_an_interrupt_keeps_what_was_measured(evaluating):
    answers = right_answers()

    def answer(messages):
        if len(model.calls) == 2:
            raise KeyboardInterrupt
        return f"```sql\n{answers[question_of(messages)]}\n```"

    model = FakeModel(answer)
    evaluation = evaluating(model).evaluate()
    assert len(evaluation.results) == 1 and evaluation.total == 3
    assert evaluation.results[0].outcome == RIGHT and "interrupted after 1 of 3" in evaluation.stopped
    assert "interrupted" in evaluation.text()


def test_progress_is_reported_after_each_example(evaluating):
    seen = []
    evaluating(answering(right_answers())).evaluate(progress=seen.append)
    assert [(p.done, p.total) for p in seen] == [(1, 3), (2, 3), (3, 3)]
    assert all(p.result.outcome == RIGHT for p in seen)


def test_the_report_round_trips_through_json_and_compares_with_an_earlier_run(evaluating, tmp_path):
    answers = right_answers()
    before = evaluating(answering(answers)).evaluate()
    path = before.write_json(tmp_path / "before.json")
    answers["What is the highest shipping cost?"] = "SELECT MIN(shipping_cost) FROM orders"
    answers["How many orders are there per status?"] = "SELECT status FROM orders GROUP BY status"
    after = evaluating(answering(answers)).evaluate()
    earlier = Evaluation.load(path)
    assert earlier.tally == before.tally and [r.outcome for r in earlier.results] == [RIGHT] * 3
    comparison = after.compare(earlier)
    assert {c.question for c in comparison.worse} == {"What is the highest shipping cost?",
                                                      "How many orders are there per status?"}
    assert comparison.better == () and comparison.previous_accuracy == 1.0
    assert after.to_dict()["comparison"]["worse"] and "2 worse" in after.text()
    back = after.compare(Evaluation.load(after.write_json(tmp_path / "after.json")))
    assert back.worse == () and back.better == ()


@pytest.mark.parametrize("content, says", [(None, "no earlier evaluation"), ("{not json", "not JSON"),
                                           ('{"results": 3}', "not an evaluation")])
def test_an_unreadable_earlier_run_is_one_sentence(tmp_path, content, says):
    path = tmp_path / "previous.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigurationError, match=says):
        Evaluation.load(path)


def test_the_report_renders_as_text_and_html_with_failures_folded():
    wrong = ExampleResult("Orders per status?", "SELECT status, COUNT(*) FROM orders GROUP BY 1", WRONG,
                          sql="SELECT status FROM orders", reason="1 columns, expected at least 2",
                          tables=("orders",), confidence="low", expected_columns=("status", "n"),
                          expected=(("paid", "3"),), got_columns=("status",), got=(("<paid>",),))
    evaluation = Evaluation([ExampleResult("How many?", "SELECT 1", RIGHT, tables=("orders",)), wrong], total=2)
    text = evaluation.text()
    assert "accuracy 50% (1 of 2 examples right)" in text and "SELECT status FROM orders" in text
    bundle, _ = evaluation._repr_mimebundle_()
    assert bundle["text/plain"] == text
    assert "<details>" in bundle["text/html"] and "&lt;paid&gt;" in bundle["text/html"]
    assert "<paid>" not in bundle["text/html"]


def test_a_retriever_holding_out_an_example_never_returns_it_and_leaves_the_original_whole(evaluating):
    retriever = evaluating(None).retriever
    example = retriever.kb.examples[0]
    held = retriever.holding_out(example)
    assert retriever.exact_match(example.question).example == example
    assert held.exact_match(example.question) is None
    assert example not in [s.example for s in held.closest_questions(example.question, n=3)]
    others = [s.example for s in retriever.closest_questions(example.question, n=3) if s.example != example]
    assert [s.example for s in held.closest_questions(example.question, n=2)] == others[:2] and others
    assert example not in [s.example for s in held.retrieve(example.question, [], k=5).examples]
    assert retriever.held_out == frozenset() and retriever.exact_match(example.question) is not None


def test_the_rate_limit_is_waited_for_then_the_question_asked_again(evaluating):
    from vanna_magic.core.errors import RateLimitError

    answers = right_answers()
    refusals = iter([RateLimitError("too many calls", retry_after=12.5)])

    def answer(messages):
        refusal = next(refusals, None)
        if refusal is not None:
            raise refusal
        return f"```sql\n{answers[question_of(messages)]}\n```"

    waited = []
    session = evaluating(FakeModel(answer))
    from vanna_magic.core.evaluate import leave_one_out

    evaluation = leave_one_out.evaluate(session.knowledge_base.examples, run_example=session.run_sql,
                                        ask=lambda example: session.ask(example.question), dialect="sqlite",
                                        sleep=waited.append)
    assert waited == [12.5] and evaluation.stopped is None and evaluation.tally.counted == 3


def test_a_rate_limit_that_does_not_relent_stops_the_run_and_keeps_what_was_measured(evaluating):
    from vanna_magic.core.errors import RateLimitError
    from vanna_magic.core.evaluate import leave_one_out

    session = evaluating(None)
    examples = session.knowledge_base.examples
    answers = right_answers()

    def ask(example):
        if example != examples[0]:
            raise RateLimitError("too many calls", retry_after=500)
        return session.run_sql(answers[example.question])

    waited = []
    evaluation = leave_one_out.evaluate(examples, run_example=session.run_sql, ask=ask, dialect="sqlite",
                                        sleep=waited.append)
    assert waited == [leave_one_out.MAX_WAIT] * leave_one_out.RATE_LIMIT_WAITS
    assert len(evaluation.results) == 1 and "stopped after 1 of 3 examples: too many calls" in evaluation.stopped


def test_a_wrong_answer_says_when_the_example_reached_the_row_cap(evaluating, kb):
    write_kb(kb, {"statuses.sql": ("Which statuses do orders have?",
                                   "SELECT DISTINCT status FROM orders ORDER BY status")})
    answers = right_answers() | {"Which statuses do orders have?": "SELECT DISTINCT status FROM orders "
                                                                    "ORDER BY status DESC"}
    evaluation = evaluating(answering(answers), max_rows=2).evaluate()
    by_question = {r.question: r for r in evaluation.results}
    assert "reached the row cap (2 rows" in by_question["Which statuses do orders have?"].reason
    assert "row cap" not in by_question["How many orders are there per status?"].reason


def test_checking_a_new_example_holds_out_one_asking_the_same_question(evaluating):
    question, sql = EXAMPLES["largest_shipping.sql"]
    model = answering(right_answers() | {question.upper(): sql})
    result = evaluating(model).check_example(question.upper(), sql)
    assert result.right and prompt_text(model.calls[0]).count(question) == 0
