"""``--no-run`` answers are planned by the database (EXPLAIN) without running: broken SQL is repaired first."""

from __future__ import annotations

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.data.database import Database

BROKEN = ("SELECT r.name, SUM(oi.quantity) AS units FROM orders AS o JOIN customers AS c ON c.customer_id = "
          "o.customer_id JOIN regions AS r ON r.region_id = c.region_id GROUP BY r.name")
FIXED = ("SELECT r.name, SUM(oi.quantity) AS units FROM orders AS o JOIN order_items AS oi ON oi.order_id = "
         "o.order_id JOIN customers AS c ON c.customer_id = o.customer_id JOIN regions AS r ON r.region_id = "
         "c.region_id GROUP BY r.name")


def test_a_statement_the_planner_refuses_goes_back_to_the_model_without_running(session_factory):
    model = FakeModel([BROKEN, FIXED])
    answer = session_factory(model=model).ask("How many units were sold in each region?", run=False)
    assert answer.status == "not_run" and answer.frame is None
    assert answer.repairs == 1 and answer.sql == FIXED
    assert "oi.quantity" in answer.attempts[0].error
    assert "oi.quantity" in str(model.calls[-1])  # the planner's message reached the model
    assert "plan" in answer.timings and "execute" not in answer.timings


@pytest.mark.postgres
def test_postgres_plans_without_running(session_factory, postgres_shop):
    model = FakeModel(["SELECT nope FROM orders", "SELECT status, COUNT(*) AS n FROM orders GROUP BY status"])
    answer = session_factory(connection=postgres_shop, model=model).ask("How many orders per status?", run=False)
    assert answer.status == "not_run" and answer.repairs == 1
    assert "nope" in answer.attempts[0].error


def test_engines_without_a_side_effect_free_explain_are_not_planned():
    # Oracle's EXPLAIN PLAN writes to PLAN_TABLE: never used, and no connection is opened to find out.
    db = Database("oracle+oracledb://scott:tiger@127.0.0.1:1/nowhere")
    assert db.plan("SELECT 1 FROM dual") is False
