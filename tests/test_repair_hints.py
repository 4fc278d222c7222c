"""Repair prompts say where a missing column really is (schema names only, only what the role may see)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.catalog import Column, Table
from vanna_magic.core.repair_hints import missing_column_hint

TABLES = [
    Table("restaurant", (Column("id", "INTEGER"), Column("name", "TEXT"), Column("rating", "REAL"))),
    Table("location", (Column("restaurant_id", "INTEGER"), Column("city_name", "TEXT"))),
    Table("review", (Column("id", "INTEGER"), Column("rating", "INTEGER"))),
]
SQL = "SELECT T2.rating FROM restaurant AS T1 JOIN location AS T2 ON T1.id = T2.restaurant_id"


@pytest.mark.parametrize("error, dialect", [
    ("no such column: T2.rating", "sqlite"),
    ("column t2.rating does not exist\nLINE 1: SELECT T2.rating FROM ...", "postgres"),
    ("(1054, \"Unknown column 'T2.rating' in 'field list'\")", "mysql"),
    ('ORA-00904: "T2"."RATING": invalid identifier', "oracle"),
])
def test_each_engines_message_is_understood(error, dialect):
    hint = missing_column_hint(SQL, error, TABLES, dialect)
    assert hint is not None
    assert "is location, whose columns are: restaurant_id, city_name." in hint
    assert "restaurant.rating, review.rating" in hint


def test_an_unqualified_column_that_no_table_has_gets_close_names():
    hint = missing_column_hint("SELECT ratings FROM restaurant", "no such column: ratings", TABLES, "sqlite")
    assert hint == "No table has a column named ratings; similar columns: restaurant.rating, review.rating."


def test_a_table_name_used_as_qualifier_lists_that_tables_columns():
    hint = missing_column_hint("SELECT location.rating FROM location", "no such column: location.rating", TABLES,
                               "sqlite")
    assert hint.startswith("location has the columns: restaurant_id, city_name.")


@pytest.mark.parametrize("error", ["no such table: nope", "syntax error near FROM", "", "division by zero"])
def test_other_errors_get_no_hint(error):
    assert missing_column_hint(SQL, error, TABLES, "sqlite") is None


def test_unparseable_sql_still_gets_the_places_of_the_column():
    hint = missing_column_hint("SELECT T9.rating FROM (((", "no such column: T9.rating", TABLES, "sqlite")
    assert hint == "A column named rating is in: restaurant.rating, review.rating."


def test_the_repair_prompt_carries_the_hint_end_to_end(session_factory):
    wrong = ("SELECT c.name, o.category FROM customers AS c JOIN orders AS o ON o.customer_id = c.customer_id "
             "LIMIT 3")
    right = "SELECT c.name FROM customers AS c LIMIT 3"
    model = FakeModel([wrong, right])
    answer = session_factory(model=model).ask("Which categories do customers buy?")
    assert answer.repairs == 1
    repair_prompt = str(model.calls[-1])
    assert "no such column: o.category" in repair_prompt
    assert "o is orders, whose columns are: order_id, customer_id" in repair_prompt
    assert "A column named category is in: products.category" in repair_prompt


def test_hidden_columns_are_never_named(session_factory, tmp_path: Path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("default_role: analyst\nroles:\n  analyst:\n    columns:\n      deny: [customers.email]\n",
                      encoding="utf-8")
    model = FakeModel(["SELECT emails FROM customers", "SELECT name FROM customers"])
    session_factory(model=model, policy_file=str(policy)).ask("List the customers' emails")
    repair_prompt = str(model.calls[-1])
    assert "no such column: emails" in repair_prompt and "customers.email" not in repair_prompt
