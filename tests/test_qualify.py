"""Misplaced column references: moved to the only table of their query that has the column, or left alone."""

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.catalog import Column, Table
from vanna_magic.core.errors import VannaError
from vanna_magic.core.qualify import requalify

TABLES = [
    Table("review", (Column("rid", "INTEGER"), Column("business_id", "TEXT"), Column("rating", "REAL"),
                     Column("year", "INTEGER"))),
    Table("business", (Column("business_id", "TEXT"), Column("name", "TEXT"), Column("city", "TEXT"))),
    Table("tip", (Column("tip_id", "INTEGER"), Column("business_id", "TEXT"), Column("year", "INTEGER"))),
]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "oracle", "mysql"])
def test_a_column_on_the_wrong_alias_moves_to_the_one_table_that_has_it(dialect):
    sql = "SELECT T2.name, AVG(T2.rating) FROM business T2 JOIN review T1 ON T1.business_id = T2.business_id"
    fixed, notes = requalify(sql, dialect, TABLES)
    assert "AVG(T1.rating)" in fixed and "T2.name" in fixed
    assert notes == ["T2.rating read from T1 (review), the only table of its query with a column rating"]


def test_a_table_name_its_query_aliased_becomes_the_alias():
    sql = "SELECT b.name FROM review AS r JOIN business AS b ON r.business_id = b.business_id WHERE review.year = 2021"
    fixed, notes = requalify(sql, "postgresql", TABLES)
    assert "WHERE r.year = 2021" in fixed and len(notes) == 1


@pytest.mark.parametrize("sql", [
    # year is in review and in tip: which one was meant is not for us to guess
    "SELECT b.year FROM business b JOIN review r ON r.business_id = b.business_id "
    "JOIN tip t ON t.business_id = b.business_id",
    # no table of the query has the column: the database says so, the model repairs
    "SELECT r.likes FROM review r",
    # the table that has it is not in the query: no table is added
    "SELECT b.rating FROM business b",
    # right already
    "SELECT r.rating FROM review r",
    # a correlated reference to the outer query is not this scope's to move
    "SELECT b.name FROM business b WHERE EXISTS (SELECT 1 FROM review r WHERE r.business_id = b.business_id "
    "AND b.rating > 4)",
    # not SQL
    "SELECT rating FROM review WHERE",
    "",
])
def test_what_is_ambiguous_missing_or_unparseable_is_left_alone(sql):
    assert requalify(sql, "sqlite", TABLES) == (sql, [])


def test_columns_of_a_cte_or_subquery_count_as_that_sources_columns():
    sql = ("WITH s AS (SELECT business_id, AVG(rating) AS avg_rating FROM review GROUP BY business_id) "
           "SELECT b.name, b.avg_rating FROM s JOIN business b ON s.business_id = b.business_id")
    fixed, notes = requalify(sql, "sqlite", TABLES)
    assert "s.avg_rating" in fixed and notes[0].startswith("b.avg_rating read from s,")


def test_each_scope_is_fixed_on_its_own():
    sql = ("SELECT T1.name FROM business T1 WHERE T1.business_id IN "
           "(SELECT T2.business_id FROM review T2 JOIN tip T3 ON T2.business_id = T3.business_id WHERE T3.rating > 3)")
    fixed, notes = requalify(sql, "sqlite", TABLES)
    assert "T2.rating > 3" in fixed and len(notes) == 1


def test_multi_line_sql_stays_multi_line():
    sql = "SELECT T2.rating\nFROM business T2\nJOIN review T1 ON T1.business_id = T2.business_id"
    fixed, _ = requalify(sql, "sqlite", TABLES)
    assert "\n" in fixed and "T1.rating" in fixed


def test_the_pipeline_runs_the_moved_column_and_says_so(session_factory):
    # regions has no email: customers (c) is the only table of the query with it
    model = FakeModel(["```sql\nSELECT r.name, r.email FROM customers c JOIN regions r ON r.region_id = c.region_id "
                       "ORDER BY c.customer_id LIMIT 3\n```"])
    answer = session_factory(model=model).ask("Three customers' regions and emails?")
    assert answer.status == "ok" and list(answer.frame.columns) == ["name", "email"]
    assert "c.email" in answer.sql
    assert any("r.email read from c (customers)" in note for note in answer.notes)
    assert len(model.calls) == 1  # no repair was needed


def test_with_the_setting_off_the_database_error_goes_to_the_repair_loop(session_factory):
    wrong = "```sql\nSELECT r.email FROM customers c JOIN regions r ON r.region_id = c.region_id\n```"
    model = FakeModel([wrong, wrong])
    session = session_factory(model=model, requalify_columns=False, max_repairs=1)
    with pytest.raises(VannaError, match="email"):
        session.ask("Customers' emails by region?")
    assert len(model.calls) == 2 and "That query failed" in model.calls[1][-1]["content"]


def test_a_qualifier_no_table_carries_is_named_for_the_repair():
    from vanna_magic.core.qualify import undefined_aliases

    sql = "SELECT r.name, SUM(oi.quantity) FROM regions r JOIN customers c ON c.region_id = r.region_id GROUP BY 1"
    assert undefined_aliases(sql, "sqlite") == [
        "oi (in oi.quantity) names no table of the query's FROM or JOIN clauses: join the table it stands for"]
    # a correlated subquery may use the outer query's aliases; a CTE is a table of the query
    assert undefined_aliases("SELECT c.name FROM customers c WHERE EXISTS "
                             "(SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id)", "sqlite") == []
    assert undefined_aliases("WITH t AS (SELECT 1 AS x) SELECT t.x FROM t", "sqlite") == []
    assert undefined_aliases("SELECT FROM WHERE", "sqlite") == []


def test_the_repair_is_told_which_table_was_never_joined(session_factory):
    model = FakeModel([
        "```sql\nSELECT r.name, COUNT(o.order_id) FROM regions r JOIN customers c ON c.region_id = r.region_id "
        "GROUP BY r.name\n```",
        "```sql\nSELECT r.name, COUNT(o.order_id) AS orders FROM regions r "
        "JOIN customers c ON c.region_id = r.region_id "
        "JOIN orders o ON o.customer_id = c.customer_id GROUP BY r.name\n```"])
    answer = session_factory(model=model).ask("How many orders came from each region?")
    assert answer.status == "ok" and len(model.calls) == 2
    told = model.calls[1][-1]["content"]
    assert "no such column: o.order_id" in told
    assert "o (in o.order_id) names no table of the query's FROM or JOIN clauses" in told
    assert answer.attempts[0].error == "no such column: o.order_id"  # the user sees the database's own words
