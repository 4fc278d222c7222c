"""The rewrite rules against the real PostgreSQL: the SQL they write runs there."""

from __future__ import annotations

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.errors import ExecutionError

pytestmark = pytest.mark.postgres

MIXED_CASE = """
CREATE TABLE "Users" ("UserId" INTEGER PRIMARY KEY, "FirstName" TEXT NOT NULL, email TEXT);
CREATE TABLE "Orders" ("OrderId" INTEGER PRIMARY KEY, "UserId" INTEGER REFERENCES "Users", amount INTEGER);
INSERT INTO "Users" VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', 'grace@example.com'), (3, 'Edsger', NULL);
INSERT INTO "Orders" VALUES (10, 1, 30), (11, 1, 12), (12, 2, 7);
"""
UNQUOTED = ("SELECT u.FirstName, SUM(o.amount) AS total FROM Users u JOIN Orders o ON o.UserId = u.UserId "
            "GROUP BY u.FirstName ORDER BY total DESC")


@pytest.fixture(scope="module")
def mixed_case(make_postgres_database) -> str:
    """URL of a database whose tables and columns were created quoted in mixed case."""
    return make_postgres_database(MIXED_CASE)


def test_unquoted_mixed_case_names_are_quoted_and_the_answer_runs(session_factory, mixed_case):
    model = FakeModel(lambda messages: f"```sql\n{UNQUOTED}\n```")
    answer = session_factory(model=model, connection=mixed_case).ask("How much did each user spend?")
    assert answer.status == "ok" and answer.repairs == 0 and len(model.calls) == 1
    assert [tuple(row) for row in answer.frame.itertuples(index=False)] == [("Ada", 42), ("Grace", 7)]
    assert 'FROM "Users" AS u JOIN "Orders" AS o' in answer.executed_sql
    assert 'Users written "Users": PostgreSQL folds unquoted names to lower case' in answer.notes


def test_without_the_rule_the_unquoted_names_name_no_table(session_factory, mixed_case):
    model = FakeModel(lambda messages: f"```sql\n{UNQUOTED}\n```")
    session = session_factory(model=model, connection=mixed_case, rewrite_rules="-identifier_case")
    with pytest.raises(ExecutionError) as caught:
        session.ask("How much did each user spend?")
    assert caught.value.code == "42P01"  # undefined_table: "users" is not "Users"
    assert len(model.calls) > 1  # the repairs were spent in vain
