"""Confidence on every answer: the level and its reasons follow the pipeline's signals, and show where the
answer is (text, HTML, provenance, the history and its filter)."""

from __future__ import annotations

import sqlite3

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.answer import Confidence
from vanna_magic.core.display import render
from vanna_magic.core.ops.store import Store

KNOWN = "How many active customers does each region have?"  # an example of the demo knowledge base


def _sql(text: str) -> str:
    return f"```sql\n{text}\n```"


def _known_sql(session) -> str:
    """The SQL of the knowledge base's example for KNOWN (what retrieval puts first)."""
    first = session.ask(KNOWN, run=False).retrieved.examples[0]
    assert first.example.question == KNOWN
    return first.example.sql


def test_a_near_identical_example_whose_sql_is_reused_is_high(session_factory):
    session = session_factory(model=FakeModel([_sql("SELECT 1")]))
    session = session_factory(model=FakeModel([_sql(_known_sql(session))]))
    answer = session.ask(KNOWN)
    assert answer.confidence.level == "high"
    assert any("near-identical example" in reason for reason in answer.confidence.reasons)


def test_an_answer_that_finds_nothing_is_low_even_when_the_example_matched(session_factory):
    session = session_factory(model=FakeModel([_sql("SELECT name FROM customers WHERE 1 = 0")] * 3))
    answer = session.ask("Which customers signed up on the moon?")
    assert answer.frame is not None and answer.frame.empty
    assert answer.confidence.level == "low" and "it found nothing" in answer.confidence.reasons


def test_a_repaired_answer_is_medium_and_says_so(session_factory):
    model = FakeModel([_sql("SELECT nope FROM customers"), _sql("SELECT COUNT(*) AS n FROM customers")])
    answer = session_factory(model=model).ask("How many customers are there?")
    assert answer.repairs == 1
    assert answer.confidence.level == "medium" and "repaired once" in answer.confidence.reasons


def test_a_plain_answer_is_medium_without_inventing_a_reason(session_factory):
    answer = session_factory(model=FakeModel([_sql("SELECT COUNT(*) AS n FROM customers")])).ask(
        "How many customers are there?")
    assert answer.confidence == Confidence("medium", ("no signal either way",))


def test_a_quoted_value_the_database_lacks_is_low(session_factory):
    model = FakeModel([_sql("SELECT COUNT(*) AS n FROM customers")])
    answer = session_factory(model=model).ask("How many customers are called 'Zebulon Quartermaine'?")
    assert answer.confidence.level == "low"
    assert any("Zebulon Quartermaine" in reason for reason in answer.confidence.reasons)


def test_the_confidence_shows_in_text_html_and_provenance(session_factory):
    model = FakeModel([_sql("SELECT name FROM customers WHERE 1 = 0")] * 3)
    answer = session_factory(model=model).ask("Which customers signed up on the moon?")
    assert "confidence: low (" in render.as_text(answer) and "it found nothing" in render.as_text(answer)
    assert "check it before you use it" in render.as_text(answer)
    html = render.as_html(answer)
    assert "vanna-confidence-low" in html and "it found nothing" in html
    assert answer.provenance()["confidence"]["level"] == "low"


def test_sql_written_by_hand_has_no_confidence_badge(session_factory):
    answer = session_factory().run_sql("SELECT COUNT(*) AS n FROM customers")
    assert answer.confidence is None
    assert "confidence" not in render.as_text(answer) and "vanna-confidence" not in render.as_html(answer)


def test_the_history_keeps_the_confidence_and_filters_on_it(session_factory, tmp_path):
    empty = _sql("SELECT name FROM customers WHERE 1 = 0")
    model = FakeModel([_sql("SELECT COUNT(*) AS n FROM customers")] + [empty] * 4)
    session = session_factory(store_path=str(tmp_path / "store.sqlite3"), model=model)
    session.ask("How many customers are there?")
    session.ask("Which customers signed up on the moon?")
    every = session.history()
    assert [entry.confidence for entry in every.entries] == ["low", "medium"]
    low = session.history(confidence="low")
    assert low.total == 1 and low.entries[0].question == "Which customers signed up on the moon?"


def test_a_store_written_before_confidence_was_kept_gains_the_column_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE queries (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, user TEXT, kind TEXT, "
                 "question TEXT, sql TEXT, executed_sql TEXT, status TEXT, rows INTEGER, timings TEXT, total_ms REAL, "
                 "model TEXT, prompt_tokens INTEGER, completion_tokens INTEGER, cost REAL, error TEXT, stage TEXT, "
                 "connection TEXT, source TEXT, repairs INTEGER, pid INTEGER)")
    conn.execute("INSERT INTO queries (at, kind, question, status) VALUES (1, 'question', 'old one', 'ok')")
    conn.commit()
    conn.close()
    store = Store(path)
    rows, total = store.history()
    assert total == 1 and rows[0]["question"] == "old one" and rows[0]["confidence"] is None
    assert store.history(confidence="low") == ([], 0)


@pytest.mark.parametrize("command, message", [
    ("%vanna history --confidence unsure", "invalid choice: 'unsure'"),
])
def test_the_history_filter_refuses_an_unknown_level(shell, tmp_path, command, message):
    from IPython.core.error import UsageError

    shell.run_cell(f"%config VannaMagic.store_path = {str(tmp_path / 'store.sqlite3')!r}")
    with pytest.raises(UsageError, match=message):
        shell.run_cell(command)


def test_the_teams_own_sql_reused_as_is_keeps_its_limit(session_factory):
    """The rewrite rules leave a near-identical example's SQL as the team wrote it ("the most orders": the
    team's 10 rows); the same LIMIT on SQL of the model's own is still left out when the question names no
    number."""
    question = "Which customers placed the most orders?"
    probe = session_factory(model=FakeModel([_sql("SELECT 1")])).ask(question, run=False)
    team = probe.retrieved.examples[0]
    assert team.example.question == question and "LIMIT 10" in team.example.sql.upper()
    reused = session_factory(model=FakeModel([_sql(team.example.sql)])).ask(question)
    assert len(reused.frame) == 10 and not reused.attempts[-1].rewrites
    assert reused.confidence.level == "high"
    own = session_factory(model=FakeModel([_sql(
        "SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id ORDER BY n DESC LIMIT 10")])).ask(question)
    assert len(own.frame) > 10 and any("LIMIT 10 left out" in note for note in own.notes)


@pytest.mark.parametrize(("rules", "counted"), [(["identifier_case"], False), (["misplaced_columns"], True),
                                                (["identifier_case", "fractional_ratios"], True)])
def test_a_name_only_spelt_as_the_database_reads_it_is_no_reason_for_doubt(rules, counted):
    import pandas as pd

    from vanna_magic.core.answer import Answer, Attempt
    from vanna_magic.core.confidence import assess

    attempt = Attempt(sql='SELECT "FirstName" FROM "Users"', rewrites=[f"note of {rule}" for rule in rules],
                      rules=list(rules))
    answer = Answer(question="Which users are there?", sql=attempt.sql, source="model", status="ok",
                    frame=pd.DataFrame({"FirstName": ["Ada", "Grace"]}), attempts=[attempt])
    reasons = assess(answer).reasons
    assert any("rewrite rule" in reason for reason in reasons) is counted, reasons
