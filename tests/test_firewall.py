"""The SQL firewall: accepted and rejected statements from fixtures, plus its edges."""

import doctest
import logging
import sqlite3

import pytest

from tests.helpers import FIXTURES, load_cases, params, same_sql
from vanna_magic.core import guard as firewall_module
from vanna_magic.core.errors import ConfigurationError, FirewallError
from vanna_magic.core.guard import Firewall, parse_statements

RULES = set(firewall_module.RULES) - {"policy_table", "policy_column"}  # policies: tests/test_policy.py
REJECTED = params("firewall/reject.sql", expand="dialect", default="sqlite") + params(
    "firewall/attacks.sql", expand="dialect", default="sqlite")


@pytest.mark.parametrize(("case", "dialect"), params("firewall/accept.sql", expand="dialect", default="sqlite"))
def test_accepted(case, dialect):
    firewall = Firewall(dialect, int(case.options.get("max_rows", 1000)))
    verdict = firewall.check(case.input)
    assert verdict.allowed, f"{case.where}: rejected by {verdict.rule}: {verdict.message}"
    assert same_sql(verdict.sql, case.expected, dialect), f"{case.where}: {verdict.sql}"
    assert verdict.rule is None and verdict.message is None
    if "rewrite" in case.options:
        expected = () if case.options["rewrite"] == "none" else tuple(case.options["rewrite"].split(" | "))
        assert verdict.rewrites == expected, case.where
    assert firewall.enforce(case.input) == verdict.sql
    assert len(parse_statements(verdict.sql, dialect)) == 1
    again = firewall.check(verdict.sql)  # the rewrite is stable: executed SQL passes unchanged
    assert (again.allowed, again.sql, again.rewrites) == (True, verdict.sql, ())


def assert_expected_rule(verdict, case):
    """The rule is asserted where it is ours to decide: once sqlglot parses a statement, our rules decide
    which one fires. Whether it parses at all is the parser's business: a statement one sqlglot release
    cannot parse may parse in the next, so ``parse_error`` and the rule that then fires are both right."""
    if verdict.rule != "parse_error" and case.expected != "parse_error":
        assert verdict.rule == case.expected, f"{case.where}: {verdict.message}"


@pytest.mark.parametrize(("case", "dialect"), REJECTED)
def test_rejected(case, dialect):
    firewall = Firewall(dialect, 1000)
    verdict = firewall.check(case.input)
    assert not verdict.allowed and verdict.sql is None, f"{case.where}: accepted as {verdict.sql!r}"
    assert verdict.rule in RULES, f"{case.where}: {verdict.rule}"
    assert_expected_rule(verdict, case)
    assert verdict.message and verdict.hint
    if "node" in case.options:
        assert verdict.node == case.options["node"], case.where
    with pytest.raises(FirewallError) as info:
        firewall.enforce(case.input)
    error = info.value
    assert (error.rule, error.sql, error.node, error.hint) == (verdict.rule, case.input, verdict.node, verdict.hint)
    assert error.stage == "firewall" and str(error).startswith(verdict.message)


class _Refusing:
    """Stands in for the database: records any statement that would reach it (none may)."""

    def __init__(self, dialect: str):
        self.dialect, self.url, self.ran = dialect, f"{dialect}://attack-test", []

    def execute(self, sql, **_):
        self.ran.append(sql)
        raise AssertionError(f"the executor was reached with {sql!r}")

    plan = estimated_cost = reading = execute

    def cancel(self):
        return 0


@pytest.fixture(scope="module")
def attack_session(tmp_path_factory):
    from vanna_magic import Session

    folder = tmp_path_factory.mktemp("attacks")
    session = Session("sqlite://", store_path=str(folder / "store.sqlite3"), cache_dir=str(folder))
    yield session
    session.close()


@pytest.mark.parametrize(("case", "dialect"), params("firewall/attacks.sql", expand="dialect", default="sqlite"))
def test_every_attack_is_rejected_never_run_and_audited(attack_session, monkeypatch, case, dialect):
    database = _Refusing(dialect)
    monkeypatch.setattr(attack_session, "database", lambda connection=None: database)
    before = {event["id"] for event in attack_session.store.audit(limit=5)}
    with pytest.raises(FirewallError) as info:
        attack_session.run_sql(case.input)
    assert database.ran == [], case.where
    assert_expected_rule(info.value, case)
    audited = [e for e in attack_session.store.audit(limit=5) if e["id"] not in before]
    assert [e["detail"]["rule"] for e in audited] == [info.value.rule], case.where
    assert case.input.strip() == "" or case.input not in repr(audited)


def test_reject_fixtures_cover_every_rule():
    cases = load_cases("firewall/reject.sql") + load_cases("firewall/attacks.sql")
    assert {case.expected for case in cases} == RULES
    assert len(cases) >= 40


def test_the_attack_corpus_spans_three_dialects():
    cases = load_cases("firewall/attacks.sql")
    assert len(cases) >= 150
    per_dialect = {d: sum(d in case.option_list("dialect", "sqlite") for case in cases)
                   for d in ("sqlite", "postgres", "oracle")}
    assert all(count >= 25 for count in per_dialect.values()), per_dialect


def test_a_forbidden_function_names_the_call_and_the_way_out():
    verdict = Firewall("postgres", 10).check("SELECT id FROM orders WHERE pg_catalog.PG_SLEEP(5) IS NULL")
    assert verdict.rule == "forbidden_function"
    assert verdict.node == "pg_catalog.PG_SLEEP(5)"
    assert verdict.message == ("pg_catalog.PG_SLEEP() is not allowed on postgres: PG_SLEEP has side effects or "
                               "reaches beyond the database")
    assert "Remove the call to pg_catalog.PG_SLEEP" in verdict.hint
    oracle = Firewall("oracle", 10).check("SELECT sys.dbms_lock.sleep(5) FROM dual")
    assert oracle.node == "sys.dbms_lock.sleep(5)" and oracle.message.startswith(
        "sys.dbms_lock.sleep() is not allowed on oracle: dbms_lock has side effects")


@pytest.mark.parametrize(("dialect", "sql"), [
    ("postgres", "SELECT current_setting('TimeZone')"), ("postgres", "SELECT now(), pg_typeof(1), currval"),
    ("sqlite", "SELECT random(), sleep FROM t"), ("oracle", "SELECT sys_context('USERENV', 'DB_NAME') FROM dual"),
    ("oracle", "SELECT dbms FROM utl"), ("postgres", "SELECT pg_sleep FROM t"),
])
def test_names_that_only_look_like_forbidden_functions_are_accepted(dialect, sql):
    assert Firewall(dialect, 10).check(sql).allowed


def test_every_rejection_is_audited_without_the_sql():
    from vanna_magic.core.guard import AuditEvent, sql_hash

    events: list[AuditEvent] = []
    firewall = Firewall("postgres", 10, on_reject=events.append, user="ann")
    secret = "SELECT pg_read_file('/home/ann/password=hunter2')"
    assert firewall.check(secret).rule == "forbidden_function"
    assert firewall.check("SELECT 1").allowed
    with pytest.raises(FirewallError):
        firewall.enforce("DROP TABLE orders")
    assert [(e.user, e.rule, e.dialect, e.role) for e in events] == [
        ("ann", "forbidden_function", "postgres", None), ("ann", "read_only", "postgres", None)]
    assert events[0].sql_hash == sql_hash(secret) and len(events[0].sql_hash) == 64
    assert "hunter2" not in repr(events) and "pg_read_file" not in repr(events)


def test_a_failing_audit_sink_does_not_hide_the_rejection(caplog):
    def broken(event):
        raise OSError("disk full")

    with caplog.at_level(logging.ERROR):
        verdict = Firewall("sqlite", 10, on_reject=broken).check("DELETE FROM t")
    assert verdict.rule == "read_only"
    assert "could not record the audit event" in caplog.text


def test_the_identity_is_the_hub_user_or_the_os_user(monkeypatch):
    import getpass

    from vanna_magic.core.guard import current_user

    assert current_user({"JUPYTERHUB_USER": "ann"}) == "ann"
    assert current_user({}) == getpass.getuser()


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
