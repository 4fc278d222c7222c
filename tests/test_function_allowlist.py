"""Functions are allowed by list: every gold query stays allowed, anything unlisted is refused."""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import exp

from tests.gold_sql import all_gold_sql, rewrite_fixture_sql
from vanna_magic.core.config import load_settings
from vanna_magic.core.errors import ConfigurationError, FirewallError
from vanna_magic.core.guard import DENIED, Allowlist, Denylist, Firewall
from vanna_magic.core.guard.function_lists import REVIEWED, reviewed

BIG_CAP = 10**6


def called_functions(sql: str, dialect: str) -> set[str]:
    """The names of the functions a statement calls (operators such as AND and CASE are not calls)."""
    names = set()
    for root in sqlglot.parse(sql, read=dialect):
        for node in root.find_all(exp.Func) if root is not None else ():
            if isinstance(node, (exp.Connector, exp.Case, exp.If)):
                continue
            written = re.match(r"[\"`]?([A-Za-z_][\w.]*)[\"`]?\s*\(", node.sql(dialect=dialect))  # as rendered
            names.add((written.group(1) if written else type(node).sql_names()[0]).lower())
    return names


def test_every_gold_query_calls_only_allowed_functions():
    golds = all_gold_sql()
    assert len(golds) > 800 and {g.dialect for g in golds} >= {"sqlite", "postgres", "oracle", "mysql"}
    refused = [(g.source, g.dialect, v.rule, v.message) for g in golds
               if not (v := Firewall(g.dialect, BIG_CAP).check(g.sql)).allowed]
    assert refused == []
    distinct = {(g.dialect, name) for g in golds for name in called_functions(g.sql, g.dialect)}
    # The check is not vacuous: the gold queries call dozens of distinct functions, untyped ones included.
    assert len(distinct) >= 40
    assert {("sqlite", "julianday"), ("sqlite", "datetime"), ("postgres", "row_to_json")} <= distinct


def test_no_statement_of_the_rewrite_fixtures_is_refused_for_a_function():
    statements = rewrite_fixture_sql()
    assert len(statements) > 300
    refused = [(s.source, s.dialect, v.message) for s in statements
               if (v := Firewall(s.dialect, BIG_CAP).check(s.sql)).rule in ("unknown_function", "forbidden_function")]
    assert refused == []


@pytest.mark.parametrize("dialect", sorted(REVIEWED))
def test_no_reviewed_function_is_denied(dialect):
    denied = Denylist.for_dialect(dialect)
    assert reviewed(dialect) and not [name for name in reviewed(dialect) if denied.matches(name)]


@pytest.mark.parametrize("dialect", sorted(REVIEWED))
def test_every_reviewed_function_passes_the_firewall(dialect):
    firewall = Firewall(dialect, 10)
    refused = [name for name in sorted(reviewed(dialect))
               if not (v := firewall.check(f"SELECT {name}(x) FROM t")).allowed and v.rule != "parse_error"]
    assert refused == []


@pytest.mark.parametrize(("dialect", "sql"), [
    ("postgres", "SELECT my_func(1)"), ("postgres", "SELECT * FROM pg_get_keywords()"),
    ("sqlite", "SELECT * FROM pragma_table_info('t')"), ("mysql", "SELECT UPDATEXML('<a/>', '/a', 'b')"),
    ("oracle", "SELECT my_pkg.run(1) FROM dual"), ("oracle", "SELECT TO_CHAR(1).evil() FROM dual"),
    ("snowflake", "SELECT system$whitelist()"), ("tsql", "SELECT xp_cmdshell('dir')"),
])
def test_an_unlisted_function_is_refused_naming_it_and_the_setting(dialect, sql):
    verdict = Firewall(dialect, 10).check(sql)
    assert verdict.rule == "unknown_function" and not verdict.allowed
    assert "allowed_functions" in verdict.hint
    called = verdict.message.split("(", 1)[0]
    assert called.lower().split(".")[-1] in sql.lower()


@pytest.mark.parametrize(("dialect", "sql"), [
    ("tsql", "SELECT NEXT VALUE FOR orders_seq"), ("postgres", "SELECT * FROM read_csv('/etc/passwd')"),
    ("sqlite", "SELECT * FROM read_parquet('x.parquet')"), ("snowflake", "SELECT * FROM IDENTIFIER('orders')"),
])
def test_typed_expressions_with_effects_are_refused(dialect, sql):
    verdict = Firewall(dialect, 10).check(sql)
    assert not verdict.allowed and verdict.rule in ("forbidden_function", "unknown_function")


def test_a_conservative_default_for_other_dialects_allows_typed_functions_only():
    firewall = Firewall("snowflake", 10)
    assert firewall.check("SELECT LOWER(name), ROUND(AVG(x), 2), COUNT(*) FROM t GROUP BY 1").allowed
    assert firewall.check("SELECT some_udf(name) FROM t").rule == "unknown_function"
    assert reviewed("snowflake") == frozenset()


def test_allowed_functions_extends_the_list_for_a_team():
    plain = Firewall("postgres", 10)
    team = Firewall("postgres", 10, allowed_functions=["fiscal_quarter", "analytics.fiscal_year"])
    for sql in ("SELECT fiscal_quarter(d) FROM t", "SELECT analytics.fiscal_year(d) FROM t"):
        assert plain.check(sql).rule == "unknown_function"
        assert team.check(sql).allowed
    # A bare name allows the function the search path finds, not one of the same name in any schema.
    assert team.check("SELECT evil.fiscal_quarter(d) FROM t").rule == "unknown_function"
    assert team.check("SELECT fiscal_year(d) FROM t").rule == "unknown_function"
    assert team.check('SELECT "FISCAL_QUARTER"(d) FROM t').rule == "unknown_function"


@pytest.mark.parametrize(("dialect", "name"), [("postgres", "pg_sleep"), ("postgres", "pg_catalog.pg_read_file"),
                                               ("mysql", "master_gtid_wait"), ("oracle", "dbms_xmlgen.getxml")])
def test_a_denied_function_can_never_be_allowed(dialect, name):
    with pytest.raises(ConfigurationError, match="can never be allowed") as info:
        Firewall(dialect, 10, allowed_functions=[name])
    assert info.value.setting == "allowed_functions"


@pytest.mark.parametrize("value", ["drop table t", "f(x)", "a.b.c.d", "1abc", "x;y", ["f", 3]])
def test_allowed_functions_refuses_what_is_not_a_function_name(value):
    with pytest.raises(ConfigurationError, match="allowed_functions"):
        load_settings({"allowed_functions": value}, environ={}, start=None)


def test_allowed_functions_from_pyproject_as_a_list(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.vanna_magic]\nallowed_functions = ["fiscal_quarter", '
                                             '"analytics.fiscal_year"]\n')
    settings = load_settings(environ={}, start=tmp_path)
    assert settings.allowed_functions == "fiscal_quarter, analytics.fiscal_year"
    env = load_settings(environ={"VANNA_MAGIC_ALLOWED_FUNCTIONS": "fiscal_quarter"}, start=None)
    assert env.allowed_functions == "fiscal_quarter"


def test_the_session_passes_allowed_functions_to_its_firewall(tmp_path):
    from vanna_magic import Session

    sql = "SELECT half(2) AS h"
    plain = Session("sqlite://", store_path=str(tmp_path / "s.sqlite3"), cache_dir=str(tmp_path))
    team = Session("sqlite://", store_path=str(tmp_path / "t.sqlite3"), cache_dir=str(tmp_path),
                   allowed_functions="half")
    try:
        with pytest.raises(FirewallError) as info:
            plain.run_sql(sql)
        assert info.value.rule == "unknown_function" and "allowed_functions" in info.value.hint
        assert team.check_policy(sql).allowed
    finally:
        plain.close()
        team.close()


def test_names_compare_as_the_dialect_compares_them():
    call = sqlglot.parse_one('SELECT "Row_To_Json"(c), row_to_json(c), "row_to_json"(c) FROM t', read="postgres")
    names = [Allowlist("postgres").unknown_name(node) for node in call.selects]
    assert names == ["Row_To_Json", None, None]
    oracle = sqlglot.parse_one('SELECT "sys_context"(a, b), "SYS_CONTEXT"(a, b), Sys_Context(a, b) FROM dual',
                               read="oracle")
    assert [Allowlist("oracle").unknown_name(node) for node in oracle.selects] == ["sys_context", None, None]
    mysql = sqlglot.parse_one("SELECT `Json_Keys`(j), JSON_KEYS(j) FROM t", read="mysql")
    assert [Allowlist("mysql").unknown_name(node) for node in mysql.selects] == [None, None]
    # Typed functions keep no quotes in the tree: the statement's text says how the name was written.
    for dialect, sql, expected in (
            ("postgres", 'SELECT "LOWER"(x), "lower"(x), LOWER(x), "Upper"(x) FROM t', ["LOWER", None, None, "Upper"]),
            ("oracle", 'SELECT "nvl"(a, b), "NVL"(a, b), Nvl(a, b) FROM dual', ["nvl", None, None]),
            ("sqlite", 'SELECT "LOWER"(x), [Upper](x) FROM t', [None, None])):
        tree = sqlglot.parse_one(sql, read=dialect)
        assert [Allowlist(dialect).unknown_name(node, sql) for node in tree.selects] == expected, sql


def test_list_sizes_are_what_the_modules_hold():
    sizes = {dialect: len(names) for dialect, names in REVIEWED.items()}
    assert all(size >= 60 for size in sizes.values()), sizes
    assert set(DENIED) <= set(REVIEWED)


def test_allowed_functions_as_a_config_trait(shell):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="unknown_function") as refused:
        shell.run_cell("%%vsql\nSELECT half(2) AS h")
    assert "allowed_functions" in str(refused.value)
    shell.run_cell("%config VannaMagic.allowed_functions = 'half'")
    with pytest.raises(UsageError) as ran:  # the firewall lets it through; SQLite has no such function
        shell.run_cell("%%vsql\nSELECT half(2) AS h")
    assert str(ran.value).startswith("[execute]") and "half" in str(ran.value).lower()
