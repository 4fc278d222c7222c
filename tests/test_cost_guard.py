"""The PostgreSQL cost guard: statements the planner expects to be too expensive never run."""

from __future__ import annotations

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.config import load_settings
from vanna_magic.core.errors import ConfigurationError, FirewallError

HUGE = "SELECT COUNT(*) FROM generate_series(1, 100000) AS a, generate_series(1, 100000) AS b"

pytestmark = pytest.mark.postgres


def test_an_expensive_statement_is_refused_before_it_runs_and_audited(session_factory, postgres_shop, tmp_path):
    session = session_factory(connection=postgres_shop, max_query_cost=1000, store_path=str(tmp_path / "store.db"))
    assert len(session.run_sql("SELECT * FROM orders").df) == 300  # cheap: runs
    with pytest.raises(FirewallError) as info:
        session.run_sql(HUGE)
    assert info.value.rule == "cost_guard"
    assert "above the limit of 1,000 (max_query_cost)" in str(info.value)
    assert "raise max_query_cost" in info.value.hint
    events = [e for e in session.store.audit() if e["kind"] == "firewall_reject"]
    assert [e["detail"]["rule"] for e in events] == ["cost_guard"]
    assert "generate_series" not in str(events)  # the statement is recorded by hash only


def test_without_a_limit_the_guard_does_not_explain(session_factory, postgres_shop, monkeypatch):
    from vanna_magic.core.data.database import Database

    session = session_factory(connection=postgres_shop)
    monkeypatch.setattr(Database, "estimated_cost", lambda *a, **k: pytest.fail("EXPLAIN ran without max_query_cost"))
    assert session.run_sql("SELECT COUNT(*) AS n FROM orders").df["n"][0] == 300


def test_the_model_is_told_and_repairs_an_expensive_statement(session_factory, postgres_shop):
    model = FakeModel([HUGE, "SELECT COUNT(*) AS n FROM orders"])
    session = session_factory(connection=postgres_shop, model=model, max_query_cost=1000)
    answer = session.ask("How many orders are there?")
    assert answer.df["n"][0] == 300 and answer.repairs == 1
    assert answer.attempts[0].rule == "cost_guard"
    assert "max_query_cost" in str(model.calls[-1])  # the repair prompt carries the reason


def test_on_sqlite_the_setting_has_no_effect(session_factory):
    answer = session_factory(max_query_cost=1).run_sql("SELECT COUNT(*) AS n FROM orders")
    assert answer.df["n"][0] > 0


@pytest.mark.parametrize("raw", ["-5", "0", "lots", "true"])
def test_a_bad_limit_is_a_clear_error(raw):
    with pytest.raises(ConfigurationError, match="max_query_cost"):
        load_settings({"max_query_cost": raw}, environ={}, start=None)
