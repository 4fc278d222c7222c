"""The rewrite rules: one module per rule, one signature, listed in order in RULES, each with a runnable example."""

import inspect
from pathlib import Path

from vanna_magic.core import rewrite as rewrite_package
from vanna_magic.core.rewrite import RULES, rewrite


def test_every_rule_is_one_module_listed_in_rules_with_one_signature_and_an_example():
    modules = sorted(p.stem for p in Path(rewrite_package.__file__).parent.glob("*.py") if p.stem != "__init__")
    assert sorted(rule.__name__ for rule in RULES) == modules
    for rule in RULES:
        assert rule.__module__ == f"vanna_magic.core.rewrite.{rule.__name__}"
        assert list(inspect.signature(rule).parameters) == ["view"], rule.__name__
        assert ">>> " in (rule.__doc__ or ""), f"{rule.__name__} has no example"


def test_sql_that_does_not_parse_or_needs_nothing_comes_back_as_it_was():
    assert rewrite("SELECT FROM WHERE (", "sqlite", ()) == ("SELECT FROM WHERE (", [])
    assert rewrite("select  1", "sqlite", ()) == ("select  1", [])


def test_no_rules_no_change():
    sql = "SELECT T2.rating FROM restaurant AS T1 JOIN location AS T2 ON T1.id = T2.restaurant_id"
    from vanna_magic.core.data.schema import tables_from_ddl

    tables = tables_from_ddl("CREATE TABLE restaurant (id INT, rating REAL); "
                             "CREATE TABLE location (restaurant_id INT, city_name TEXT)")
    assert rewrite(sql, "sqlite", tables, rules=()) == (sql, [])
    assert rewrite(sql, "sqlite", tables)[0] != sql


def test_the_rewrite_rules_setting_selects_rules_and_refuses_unknown_names():
    import pytest

    from vanna_magic.core.errors import ConfigurationError
    from vanna_magic.core.rewrite import select_rules

    assert select_rules("all") == RULES and select_rules("") == RULES and select_rules("none") == ()
    assert len(select_rules("-self_joins,-plain_years")) == len(RULES) - 2
    for bad in ("no_such_rule", "self_joins,-plain_years", "-nope"):
        with pytest.raises(ConfigurationError) as info:
            select_rules(bad)
        assert info.value.setting == "rewrite_rules"


def test_the_setting_reaches_the_pipeline(session_factory):
    from tests.fakes import FakeModel

    sql = "SELECT COUNT(*) AS n FROM orders o WHERE orders.status = 'shipped'"
    on = session_factory(model=FakeModel([f"```sql\n{sql}\n```"])).ask("How many orders shipped?")
    fixed = "SELECT COUNT(*) AS n FROM orders o WHERE o.status = 'shipped'"
    off = session_factory(model=FakeModel([f"```sql\n{sql}\n```", f"```sql\n{fixed}\n```"]),
                          rewrite_rules="none").ask("How many orders shipped?")
    assert on.repairs == 0 and on.sql != sql and any("read from o" in note for note in on.notes)
    assert off.repairs == 1 and off.attempts[0].sql == sql and not any("read from o" in note for note in off.notes)


def test_multi_line_sql_stays_multi_line():
    from vanna_magic.core.data.schema import tables_from_ddl

    tables = tables_from_ddl("CREATE TABLE review (rid INT, business_id TEXT, rating REAL); "
                             "CREATE TABLE business (business_id TEXT, name TEXT)")
    sql = "SELECT T2.rating\nFROM business T2\nJOIN review T1 ON T1.business_id = T2.business_id"
    fixed, _ = rewrite(sql, "sqlite", tables)
    assert "\n" in fixed and "T1.rating" in fixed


def test_a_catalog_type_is_read_in_any_spelling():
    # a catalog reports types as its database spells them (bigint, BIGINT, character varying, varchar(8))
    from vanna_magic.core.data.schema import Column, Table

    sql = "SELECT users.name FROM review, users WHERE review.user_id = users.uid AND review.rating > 4"
    for spell in (str.lower, str.upper):
        tables = [Table("review", (Column("rid", spell("bigint")), Column("user_id", spell("character varying")),
                                   Column("rating", spell("real")))),
                  Table("users", (Column("uid", spell("bigint")), Column("user_id", spell("varchar(8)")),
                                  Column("name", spell("text"))))]
        for dialect in ("sqlite", "postgres"):
            fixed, notes = rewrite(sql, dialect, tables)
            assert "review.user_id = users.user_id" in fixed and len(notes) == 1, (spell, dialect)
