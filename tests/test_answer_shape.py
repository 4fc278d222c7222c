"""The shape of a result against its question: a count asked and rows returned, a count of 0, a list with
repeated rows, a first place whose ties the answer cut (asked of the database). Each lowers the confidence
and never changes the SQL or the rows."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.fakes import FakeModel
from vanna_magic.core.diagnose.shape import asks_for_a_list, asks_for_one_count, shape_doubts, tie_probe, tied


def _sql(text: str) -> str:
    return f"```sql\n{text}\n```"


@pytest.mark.parametrize("question, one_count", [
    ("How many customers are there?", True),
    ("What is the number of orders placed in 2024?", True),
    ("Count the suppliers in France.", True),
    ("How many orders did each customer place?", False),
    ("How many customers per region?", False),
    ("Which customers placed the most orders?", False),
    ("How many days after signing up do customers order?", False),
    ("How much revenue comes from discounts compared with full price?", False),
])
def test_a_count_is_one_number_unless_the_question_splits_it(question, one_count):
    assert asks_for_one_count(question) is one_count


@pytest.mark.parametrize("question, a_list", [
    ("Which authors wrote about parsing?", True),
    ("List the titles of papers from 2015.", True),
    ("What is the average rating of restaurants?", False),
    ("How many papers are there?", False),
])
def test_a_list_question_is_one_that_asks_for_things(question, a_list):
    assert asks_for_a_list(question) is a_list


def test_a_result_shaped_like_its_question_raises_no_doubt():
    assert shape_doubts("How many papers are there?", pd.DataFrame({"n": [12]})) == []
    assert shape_doubts("Which authors wrote about parsing?", pd.DataFrame({"name": ["Ada", "Bo"]})) == []
    assert shape_doubts("How many papers per year?", pd.DataFrame({"y": [1, 2], "n": [3, 3]})) == []
    assert shape_doubts("", pd.DataFrame({"n": [1, 2]})) == [] and shape_doubts("How many?", None) == []


def test_unhashable_cells_do_not_break_the_check():
    frame = pd.DataFrame({"tags": [{"a": 1}, {"a": 1}]})
    assert isinstance(shape_doubts("Which tags are there?", frame), list)


@pytest.mark.parametrize("sql", [
    "SELECT name FROM item ORDER BY year LIMIT 2",
    "SELECT name FROM item LIMIT 1",
    "SELECT DISTINCT name FROM item ORDER BY year LIMIT 1",
    "SELECT name FROM item ORDER BY year LIMIT 1 OFFSET 1",
    "SELECT name FROM item ORDER BY 3 LIMIT 1",
    "this is not sql",
])
def test_only_a_first_place_gets_a_tie_probe(sql):
    assert tie_probe(sql, "sqlite") is None


def test_the_probe_keeps_the_ordering_and_returns_two_rows():
    probe = tie_probe("SELECT name, year AS y FROM item ORDER BY 2 DESC, name LIMIT 1", "postgres")
    assert probe == "SELECT year AS y, name FROM item ORDER BY 2 DESC, name LIMIT 2"
    assert tied(pd.DataFrame({"y": [3, 3]})) and not tied(pd.DataFrame({"y": [3, 2]}))
    assert not tied(pd.DataFrame({"y": [3]})) and tied(pd.DataFrame({"y": [None, None]}))


def _reasons(answer) -> str:
    return " | ".join(answer.confidence.reasons)


def test_a_count_answered_with_rows_is_low_and_keeps_its_rows(session_factory):
    sql = "SELECT region_id, COUNT(*) AS n FROM customers GROUP BY region_id"
    answer = session_factory(model=FakeModel([_sql(sql)])).ask("How many customers are there?")
    assert answer.status == "ok" and len(answer.frame) > 1 and answer.sql == sql
    assert answer.confidence.level == "low" and "asks how many" in _reasons(answer)


def test_a_count_of_nothing_is_low(session_factory):
    answer = session_factory(model=FakeModel([_sql("SELECT COUNT(*) AS n FROM customers WHERE 1 = 0")])).ask(
        "How many customers are there?")
    assert answer.frame.iloc[0, 0] == 0
    assert answer.confidence.level == "low" and "counted nothing" in _reasons(answer)


def test_a_list_with_repeated_rows_is_low(session_factory):
    sql = "SELECT c.region_id FROM customers AS c JOIN orders AS o ON o.customer_id = c.customer_id"
    answer = session_factory(model=FakeModel([_sql(sql)])).ask("Which regions have customers with orders?")
    assert answer.frame.duplicated().any()
    assert answer.confidence.level == "low" and "repeat" in _reasons(answer)


def test_a_first_place_with_a_tie_is_low_and_the_answer_is_unchanged(session_factory):
    sql = "SELECT name FROM customers ORDER BY region_id LIMIT 1"
    answer = session_factory(model=FakeModel([_sql(sql)])).ask("Which customer is in the first region?")
    assert answer.sql == sql and len(answer.frame) == 1
    assert answer.confidence.level == "low" and "tied" in _reasons(answer)


def test_a_first_place_without_a_tie_raises_no_doubt(session_factory):
    sql = "SELECT name FROM customers ORDER BY customer_id LIMIT 1"
    answer = session_factory(model=FakeModel([_sql(sql)])).ask("Which customer signed up first?")
    assert "tied" not in _reasons(answer)


def test_a_question_that_states_its_number_is_not_probed(session_factory):
    sql = "SELECT name FROM customers ORDER BY region_id LIMIT 1"
    answer = session_factory(model=FakeModel([_sql(sql)])).ask("Name 1 customer of the first region.")
    assert "tied" not in _reasons(answer)


def test_nothing_is_probed_when_the_question_is_not_run(session_factory):
    sql = "SELECT name FROM customers ORDER BY region_id LIMIT 1"
    answer = session_factory(model=FakeModel([_sql(sql)])).ask("Which customer is in the first region?", run=False)
    assert answer.status == "not_run" and "tied" not in _reasons(answer)


def test_a_statement_is_probed_for_ties_once_when_second_opinions_also_ask(session_factory, monkeypatch):
    from vanna_magic.core.diagnose import shape

    probes = []
    monkeypatch.setattr(shape, "tie_probe", lambda sql, dialect: probes.append(sql) or None)
    sql = "SELECT name FROM customers ORDER BY region_id LIMIT 1"
    session_factory(model=FakeModel([_sql(sql)] * 3), doubt_candidates=2).ask("Which customer is in the first region?")
    assert len(probes) == 1
