"""Self-consistency: several candidates, each checked and run; the result most of them agree on wins."""

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.errors import ConfigurationError, FirewallError
from vanna_magic.core.generate.tokens import count_tokens

BY_STATUS = "SELECT status, COUNT(*) AS n FROM orders GROUP BY status"
BY_STATUS_AGAIN = "SELECT status AS s, COUNT(order_id) AS orders FROM orders GROUP BY status ORDER BY 2 DESC"
DELIVERED = "SELECT status, COUNT(*) AS n FROM orders WHERE status = 'delivered' GROUP BY status"
QUESTION = "Which statuses do orders have, with their counts?"


def test_the_majority_result_wins_and_costs_are_summed(session_factory):
    model = FakeModel([DELIVERED, BY_STATUS, BY_STATUS_AGAIN])
    answer = session_factory(model=model, candidates=3, temperature=0.7).ask(QUESTION)
    assert answer.sql == BY_STATUS and len(answer.df) == 5  # same rows in another order and naming: one vote
    assert len(model.calls) == 3 and len(answer.attempts) == 1 and answer.repairs == 0
    prompt_tokens = sum(count_tokens(m["content"]) for m in model.calls[0])
    assert answer.prompt_tokens == 3 * prompt_tokens
    assert answer.completion_tokens == sum(count_tokens(sql) for sql in (DELIVERED, BY_STATUS, BY_STATUS_AGAIN))
    assert answer.notes[-1] == "self-consistency: 2 of 3 candidates agreed on this result (2 distinct results)"


def test_a_tie_goes_to_the_earliest_candidate_and_failed_candidates_do_not_vote(session_factory):
    model = FakeModel(["DELETE FROM orders", DELIVERED, BY_STATUS])
    answer = session_factory(model=model, candidates=3, temperature=0.5).ask(QUESTION)
    assert answer.sql == DELIVERED and len(answer.df) == 1
    assert answer.notes[-1].startswith("self-consistency: 1 of 3 candidates agreed on this result (2 distinct "
                                       "results, 1 failed (")


def test_when_every_candidate_fails_the_first_error_goes_to_the_repair_loop(session_factory):
    model = FakeModel(["DELETE FROM orders", "SELECT nope FROM orders", BY_STATUS])
    answer = session_factory(model=model, candidates=2, temperature=0.5).ask(QUESTION)
    assert len(model.calls) == 3 and answer.sql == BY_STATUS  # the repair is one answer, not two candidates
    assert [a.rule for a in answer.attempts] == ["read_only", None]
    assert "DELETE FROM orders" in model.calls[2][-2]["content"]


def test_every_candidate_failing_with_no_repairs_left_raises_the_first_error(session_factory):
    model = FakeModel(["DELETE FROM orders", "DROP TABLE orders"])
    with pytest.raises(FirewallError) as info:
        session_factory(model=model, candidates=2, temperature=0.5, max_repairs=0).ask(QUESTION)
    assert info.value.rule == "read_only"


def test_without_running_candidates_vote_by_the_statement(session_factory):
    model = FakeModel([BY_STATUS, DELIVERED, DELIVERED])
    answer = session_factory(model=model, candidates=3, temperature=0.5).ask(QUESTION, run=False)
    assert answer.status == "not_run" and answer.sql == DELIVERED and answer.df is None


def test_the_first_candidate_is_the_usual_answer_and_the_others_are_samples(session_factory):
    model = FakeModel([BY_STATUS, DELIVERED, BY_STATUS_AGAIN])
    session_factory(model=model, candidates=3).ask(QUESTION)
    assert model.samples == [0, 1, 2]
    with pytest.raises(ConfigurationError) as info:
        session_factory(model=model, candidates=3, sample_temperature=0)
    assert info.value.setting == "sample_temperature"


def test_an_answer_in_doubt_gets_second_opinions_that_can_outvote_it(session_factory):
    # the first answer needed a repair: two samples of the first prompt vote with it
    model = FakeModel(["SELECT nope FROM orders", DELIVERED, BY_STATUS, BY_STATUS_AGAIN])
    answer = session_factory(model=model, doubt_candidates=2).ask(QUESTION)
    assert model.samples == [0, 0, 1, 2] and "nope" not in model.calls[2][-1]["content"]  # samples: first prompt
    assert answer.status == "ok" and answer.sql == BY_STATUS and len(answer.df) == 5
    assert answer.agreement == (2, 3) and answer.repairs == 1
    assert answer.notes[-1] == ("in doubt, 2 more candidates sampled: 2 of 3 agreed on this result (2 distinct "
                                "results, 0 failed); it replaces the first answer")


def test_a_clean_answer_costs_no_second_opinion(session_factory):
    model = FakeModel([BY_STATUS])
    answer = session_factory(model=model, doubt_candidates=4).ask(QUESTION)
    assert model.samples == [0] and answer.agreement is None


def test_second_opinions_rescue_a_question_whose_repairs_all_failed(session_factory):
    model = FakeModel(["DELETE FROM orders", "DROP TABLE orders", BY_STATUS, DELIVERED])
    answer = session_factory(model=model, doubt_candidates=2, max_repairs=1).ask(QUESTION)
    assert answer.status == "ok" and answer.error is None and answer.sql == BY_STATUS
    assert answer.agreement == (1, 2)
    model = FakeModel(["DELETE FROM orders", "DROP TABLE orders", "DELETE FROM customers", "UPDATE x SET y = 1"])
    with pytest.raises(FirewallError):
        session_factory(model=model, doubt_candidates=2, max_repairs=1).ask(QUESTION)


def test_an_answer_shaped_otherwise_than_its_question_gets_second_opinions(session_factory):
    # "how many" answered with one row per status: two samples that count vote it down
    count = "SELECT COUNT(*) AS n FROM orders"
    model = FakeModel([BY_STATUS, count, "SELECT COUNT(order_id) FROM orders"])
    answer = session_factory(model=model, doubt_candidates=2).ask("How many orders are there?")
    assert model.samples == [0, 1, 2] and answer.repairs == 0
    assert answer.sql == count and len(answer.df) == 1 and answer.agreement == (2, 3)


def test_a_first_place_with_a_tie_gets_second_opinions(session_factory):
    first = "SELECT status FROM orders ORDER BY customer_id LIMIT 1"
    model = FakeModel([first, first, first])
    answer = session_factory(model=model, doubt_candidates=2).ask("What status has the order of the first customer?")
    assert model.samples == [0, 1, 2] and answer.sql == first
