"""The SQL firewall: accepted and rejected statements from fixtures, plus its edges."""

import doctest
import logging
import sqlite3

import pytest

from tests.helpers import FIXTURES, load_cases, params
from vanna_magic.core import firewall as firewall_module
from vanna_magic.core.errors import ConfigurationError, FirewallError
from vanna_magic.core.firewall import Firewall, parse_statements

RULES = {"parse_error", "empty", "single_statement", "read_only", "data_modifying_cte", "select_into",
         "locking_clause"}


@pytest.mark.parametrize(("case", "dialect"), params("firewall/accept.sql", expand="dialect", default="sqlite"))
def test_accepted(case, dialect):
    firewall = Firewall(dialect, int(case.options.get("max_rows", 1000)))
    verdict = firewall.check(case.input)
    assert verdict.allowed, f"{case.where}: rejected by {verdict.rule}: {verdict.message}"
    assert verdict.sql == case.expected, case.where
    assert verdict.rule is None and verdict.message is None
    if "rewrite" in case.options:
        expected = () if case.options["rewrite"] == "none" else tuple(case.options["rewrite"].split(" | "))
        assert verdict.rewrites == expected, case.where
    assert firewall.enforce(case.input) == case.expected
    assert len(parse_statements(verdict.sql, dialect)) == 1
    again = firewall.check(verdict.sql)  # the rewrite is stable: executed SQL passes unchanged
    assert (again.allowed, again.sql, again.rewrites) == (True, verdict.sql, ())


@pytest.mark.parametrize(("case", "dialect"), params("firewall/reject.sql", expand="dialect", default="sqlite"))
def test_rejected(case, dialect):
    firewall = Firewall(dialect, 1000)
    verdict = firewall.check(case.input)
    assert not verdict.allowed and verdict.sql is None, f"{case.where}: accepted as {verdict.sql!r}"
    assert verdict.rule == case.expected, f"{case.where}: {verdict.message}"
    assert verdict.message and verdict.hint
    if "node" in case.options:
        assert verdict.node == case.options["node"], case.where
    with pytest.raises(FirewallError) as info:
        firewall.enforce(case.input)
    error = info.value
    assert (error.rule, error.sql, error.node, error.hint) == (verdict.rule, case.input, verdict.node, verdict.hint)
    assert error.stage == "firewall" and str(error).startswith(verdict.message)


def test_reject_fixtures_cover_every_rule():
    cases = load_cases("firewall/reject.sql")
    assert {case.expected for case in cases} == RULES
    assert len(cases) >= 40


def test_a_parse_error_says_where():
    verdict = Firewall("postgres", 10).check("SELECT id\nFROM orders\nWHERE (")
    assert verdict.rule == "parse_error"
    assert "line 3, column 7" in verdict.message and "postgres" in verdict.message
    assert "<Token" not in verdict.message and "<class" not in verdict.message


def test_a_write_is_rejected_as_not_read_only():
    verdict = Firewall("sqlite", 10).check("DELETE FROM customers")
    assert verdict.rule == "read_only" and "read-only" in verdict.message and "DELETE" in verdict.message


def test_sqlglot_warnings_are_silenced_only_inside_the_firewall(caplog):
    import sqlglot

    with caplog.at_level(logging.WARNING, logger="sqlglot"):
        assert Firewall("postgres", 10).check("EXPLAIN ANALYZE DELETE FROM orders").rule == "read_only"
        assert not [r for r in caplog.records if r.name == "sqlglot"]
        sqlglot.parse("EXPLAIN ANALYZE DELETE FROM orders", read="postgres")
        assert [r for r in caplog.records if r.name == "sqlglot"]


@pytest.mark.parametrize("max_rows", [0, -5, True, "1000", 2.5])
def test_max_rows_must_be_a_positive_integer(max_rows):
    with pytest.raises(ConfigurationError, match="max_rows"):
        Firewall("sqlite", max_rows)


@pytest.mark.parametrize(("name", "dialect"), [("postgresql", "postgres"), ("postgresql+psycopg", "postgres"),
                                               ("SQLite", "sqlite"), ("oracle", "oracle"), ("duckdb", "duckdb")])
def test_dialect_names(name, dialect):
    assert Firewall(name, 10).dialect == dialect


def test_unknown_dialect():
    with pytest.raises(ConfigurationError, match="unknown SQL dialect 'cobol'") as info:
        Firewall("cobol", 10)
    assert "postgres" in info.value.hint


def test_the_cap_holds_when_sqlite_runs_the_rewritten_sql():
    numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) SELECT i FROM n"
    connection = sqlite3.connect(":memory:")
    try:
        for sql, rows in ((numbers, 1000), (numbers + " LIMIT -1", 1000), (numbers + " LIMIT 7", 7)):
            assert len(connection.execute(Firewall("sqlite", 1000).enforce(sql)).fetchall()) == rows
    finally:
        connection.close()


@pytest.mark.postgres
def test_the_cap_holds_when_postgres_runs_the_rewritten_sql():
    import psycopg

    firewall = Firewall("postgresql", 1000)
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", connect_timeout=5) as connection:
        for sql, rows in (("SELECT n FROM generate_series(1, 5000) AS g(n)", 1000),
                          ("SELECT n FROM generate_series(1, 5000) AS g(n) LIMIT ALL", 1000),
                          ("SELECT n FROM generate_series(1, 5000) AS g(n) ORDER BY n FETCH FIRST 9 ROWS ONLY", 9),
                          ("SELECT 1 AS n UNION ALL SELECT n FROM generate_series(1, 5000) AS g(n)", 1000)):
            assert len(connection.execute(firewall.enforce(sql)).fetchall()) == rows


def test_docstring_examples_run():
    assert doctest.testmod(firewall_module).failed == 0


def test_fixture_loader_fails_loudly(tmp_path):
    duplicate = tmp_path / "dup.sql"
    duplicate.write_text("#| title: a\nSELECT 1\n#| expect: x\n#| title: a\nSELECT 2\n#| expect: y\n")
    with pytest.raises(ValueError, match="duplicate"):
        load_cases(duplicate)
    misplaced = tmp_path / "misplaced.sql"
    misplaced.write_text("#| title: a\nSELECT 1\n#| dialect: sqlite\n#| expect: x\n")
    with pytest.raises(ValueError, match="misplaced.sql:3"):
        load_cases(misplaced)
    assert FIXTURES.is_dir()
