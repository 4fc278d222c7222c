"""The data policy compares names as each dialect does: quoting and case games cannot hide a table."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from tests.helpers import FIXTURES
from tests.test_mariadb import mysql_shop  # noqa: F401 - the MariaDB shop fixture
from vanna_magic.core.guard import Firewall
from vanna_magic.core.guard.names import as_listed, resolved, same_relation
from vanna_magic.core.guard.policy import load_policy

SHOP = FIXTURES / "policy" / "shop.yaml"
COLUMNS = {"customers": ["customer_id", "name", "email", "region_id"], "orders": ["order_id", "status"],
           "regions": ["region_id", "name"]}


def _firewall(dialect: str, role: str = "analyst") -> Firewall:
    return Firewall(dialect, 100, policy=load_policy(SHOP).role_for("bob", role),
                    columns=lambda schema, table: COLUMNS.get(table.lower()))


def _filtered_tables(sql: str | None, dialect: str) -> list[str]:
    """The tables read through a policy subquery (a WHERE with the role's row filter) in the rewritten SQL."""
    assert sql is not None
    tree = sqlglot.parse_one(sql, read=dialect)
    out = []
    for table in tree.find_all(exp.Table):
        select = table.parent.parent if isinstance(table.parent, exp.From) else None
        if isinstance(select, exp.Select) and select.args.get("where") and isinstance(select.parent, exp.Subquery):
            out.append(table.name.lower())
    return sorted(out)


# (dialect, statement, the tables that must be read through the policy)
GAMES = [
    ("postgres", 'WITH "CUSTOMERS" AS (SELECT 1 AS x) SELECT * FROM customers', ["customers"]),
    ("postgres", 'WITH "Orders" AS (SELECT 1 AS x) SELECT * FROM orders, "Orders"', ["orders"]),
    ("postgres", 'WITH CUSTOMERS AS (SELECT 1 AS x) SELECT * FROM customers', []),
    ("postgres", 'WITH "customers" AS (SELECT 1 AS x) SELECT * FROM CUSTOMERS', []),
    ("oracle", 'WITH "customers" AS (SELECT 1 AS x FROM dual) SELECT * FROM customers', ["customers"]),
    ("oracle", 'WITH "CUSTOMERS" AS (SELECT 1 AS x FROM dual) SELECT * FROM customers', []),
    ("oracle", 'WITH customers AS (SELECT 1 AS x FROM dual) SELECT * FROM "CUSTOMERS"', []),
    ("mysql", "WITH `Customers` AS (SELECT 1 AS x) SELECT * FROM customers", ["customers"]),
    ("mysql", "WITH customers AS (SELECT 1 AS x) SELECT * FROM `customers`", []),
    ("sqlite", 'WITH "CUSTOMERS" AS (SELECT 1 AS x) SELECT * FROM customers', []),
    ("duckdb", 'WITH "CUSTOMERS" AS (SELECT 1 AS x) SELECT * FROM customers', []),
    ("tsql", "WITH [CUSTOMERS] AS (SELECT 1 AS x) SELECT * FROM customers", []),
]


@pytest.mark.parametrize(("dialect", "sql", "filtered"), GAMES)
def test_a_cte_hides_a_table_only_when_the_dialect_reads_the_same_name(dialect, sql, filtered):
    verdict = _firewall(dialect).check(sql)
    assert verdict.allowed, verdict.message
    assert _filtered_tables(verdict.sql, dialect) == filtered, verdict.sql


@pytest.mark.parametrize(("dialect", "sql", "allowed"), [
    ("postgres", "SELECT * FROM ORDERS", True), ("postgres", 'SELECT * FROM "orders"', True),
    ("postgres", 'SELECT * FROM "ORDERS"', False), ("postgres", 'SELECT * FROM "Orders"', False),
    ("postgres", 'SELECT * FROM "PUBLIC".orders', False), ("postgres", "SELECT * FROM PUBLIC.orders", True),
    ("oracle", 'SELECT * FROM "ORDERS"', True), ("oracle", "SELECT * FROM Orders", True),
    ("oracle", 'SELECT * FROM "orders"', False),
    ("mysql", "SELECT * FROM orders", True), ("mysql", "SELECT * FROM `ORDERS`", False),
    ("sqlite", 'SELECT * FROM "ORDERS"', True), ("duckdb", 'SELECT * FROM "Orders"', True),
])
def test_an_allowed_table_is_the_relation_its_listed_name_names(dialect, sql, allowed):
    verdict = _firewall(dialect, "regional").check(sql)
    assert verdict.allowed is allowed, verdict.message
    if not allowed:
        assert verdict.rule == "policy_table"


@pytest.mark.parametrize("dialect", ["postgres", "oracle", "mysql", "sqlite"])
@pytest.mark.parametrize("name", ['"SUPPLIERS"', '"Suppliers"', "SUPPLIERS", '"suppliers"'])
def test_a_denied_table_is_denied_in_any_case(dialect, name):
    sql = f"SELECT * FROM {name}"
    if dialect == "mysql":
        sql = sql.replace('"', "`")
    assert _firewall(dialect).check(sql).rule == "policy_table"


@pytest.mark.parametrize("dialect", ["postgres", "oracle", "mysql", "sqlite"])
def test_a_row_filter_applies_to_the_table_in_any_case(dialect):
    quote = "`" if dialect == "mysql" else '"'
    for name in ("ORDERS", f"{quote}ORDERS{quote}", f"{quote}orders{quote}", "Orders"):
        verdict = _firewall(dialect).check(f"SELECT * FROM {name}")
        assert verdict.allowed and "cancelled" in verdict.sql, (name, verdict.sql)


def test_names_resolve_as_the_dialect_folds_them():
    assert resolved("Orders", "postgres") == "orders" and resolved("Orders", "oracle") == "ORDERS"
    assert resolved("Orders", "postgres", quoted=True) == "Orders"
    assert same_relation("CUSTOMERS", "customers", "postgres")
    assert not same_relation(exp.to_identifier("CUSTOMERS", quoted=True), "customers", "postgres")
    assert same_relation(exp.to_identifier("CUSTOMERS", quoted=True), "customers", "sqlite")
    assert as_listed(exp.to_identifier("ORDERS", quoted=True), "oracle")
    assert not as_listed(exp.to_identifier("orders", quoted=True), "oracle")


@pytest.mark.mysql
@pytest.mark.parametrize("sql", [
    "WITH `Customers` AS (SELECT * FROM customers) SELECT * FROM customers",
    "WITH CUSTOMERS AS (SELECT * FROM customers) SELECT c.* FROM customers AS c",
    "WITH `Customers` AS (SELECT 2 AS customer_id, 'a@b.c' AS email) SELECT * FROM customers",
    "WITH `Customers` AS (SELECT 1 AS x) SELECT * FROM customers",
])
def test_on_mariadb_a_cte_in_another_case_never_leaves_the_table_unfiltered(session_factory, mysql_shop, sql):  # noqa: F811
    """MariaDB reads a CTE whatever the case of its name; the firewall treats a name that differs in case as the
    table and wraps it, and MariaDB resolves the wrapped name to the CTE again: a query that reads the table
    through the CTE gets its filtered rows, one that does not fails; none reads the table unfiltered."""
    from vanna_magic.core.errors import ExecutionError

    session = session_factory(connection=mysql_shop.url, policy_file=str(FIXTURES / "policy" / "shapes.yaml"))
    try:
        frame = session.run_sql(sql).df
    except ExecutionError:
        assert "SELECT * FROM customers)" not in sql, "a query reading the table through the CTE must run"
        return
    assert "email" not in frame.columns and len(frame) > 0
    assert all(int(v) % 2 == 1 for v in frame["customer_id"])
