"""Data policies: the file's validation, the rewrites, and what never comes back whatever the query shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import FakeModel
from tests.helpers import FIXTURES, load_cases, params, same_sql
from vanna_magic.core.errors import ConfigurationError, FirewallError
from vanna_magic.core.guard import Firewall
from vanna_magic.core.guard.policy import load_policy
from vanna_magic.core.guard.policy_apply import can_read, can_use

SHOP = FIXTURES / "policy" / "shop.yaml"
SHAPES = FIXTURES / "policy" / "shapes.yaml"
DEMO_COLUMNS = {"customers": ["customer_id", "name", "email", "region_id", "segment", "signup_date"]}


def _analyst(max_rows: int = 100) -> Firewall:
    return Firewall("sqlite", max_rows, policy=load_policy(SHOP).role_for("bob"),
                    columns=lambda schema, table: DEMO_COLUMNS.get(table.lower()))


@pytest.mark.parametrize("case", params("policy/rewrite.sql"))
def test_rewrites(case):
    verdict = _analyst().check(case.input)
    assert verdict.allowed, f"{case.where}: {verdict.message}"
    assert same_sql(verdict.sql, case.expected, "sqlite"), f"{case.where}: {verdict.sql}"


@pytest.mark.parametrize("case", params("policy/reject.sql"))
def test_rejections(case):
    verdict = _analyst().check(case.input)
    assert (verdict.allowed, verdict.rule) == (False, case.expected), f"{case.where}: {verdict.sql}"
    assert verdict.message.startswith("role 'analyst' may not read") and verdict.hint and verdict.node


def test_roles_come_from_the_setting_the_user_list_or_the_default():
    policy = load_policy(SHOP)
    assert policy.role_for("bob").role == "analyst"
    assert policy.role_for("ann").role == "admin"
    assert policy.role_for("ann", "regional").role == "regional"
    with pytest.raises(ConfigurationError, match="role 'boss' is not defined") as info:
        policy.role_for("bob", "boss")
    assert "admin, analyst, regional" in info.value.hint


def test_an_unrestricted_role_changes_nothing_but_the_cap():
    firewall = Firewall("sqlite", 10, policy=load_policy(SHOP).role_for("ann"))
    assert firewall.enforce("SELECT * FROM suppliers") == "SELECT * FROM suppliers LIMIT 10"


def test_an_allow_list_rejects_everything_else():
    firewall = Firewall("sqlite", 10, policy=load_policy(SHOP).role_for("x", "regional"))
    assert firewall.check("SELECT * FROM regions").allowed
    assert firewall.check("SELECT * FROM products").rule == "policy_table"


def test_hidden_columns_need_the_catalog():
    firewall = Firewall("sqlite", 10, policy=load_policy(SHOP).role_for("bob"), columns=lambda s, t: None)
    verdict = firewall.check("SELECT name FROM customers")
    assert verdict.rule == "policy_column" and "columns of customers are unknown" in verdict.message


def test_policy_rejections_are_audited_with_the_role():
    events = []
    firewall = Firewall("sqlite", 10, policy=load_policy(SHOP).role_for("bob"), on_reject=events.append, user="bob")
    firewall.check("SELECT * FROM suppliers")
    assert [(e.user, e.role, e.rule) for e in events] == [("bob", "analyst", "policy_table")]


INVALID = [
    ("roles: [a, b]\n", 1, "roles must be a mapping"),
    ("users: {}\n", 1, "has no 'roles:' section"),
    ("roles:\n  a:\n    tabels: {}\n", 3, "unknown key 'tabels' in role 'a'"),
    ("roles:\n  a:\n    tables:\n      allow: orders\n", 4, "tables.allow must be a list"),
    ("roles:\n  a:\n    columns:\n      deny: [email]\n", 4, "'email' must name its table: table.column"),
    ("roles:\n  a:\n    rows:\n      orders: \"status <>\"\n", 4, "the row filter of orders is not a SQL expression"),
    ("roles:\n  a:\n    rows:\n      orders: \"upper(status)\"\n", 4, "the row filter of orders must be a condition"),
    ("roles:\n  a:\n    rows:\n      orders: \"DELETE FROM orders\"\n", 4, "must be an expression, not a statement"),
    ("roles:\n  a:\n    columns:\n      mask:\n        c.name: \"(\"\n", 5,
     "the mask of c.name is not a SQL expression"),
    ("default_role: b\nroles:\n  a: {}\n", 1, "default_role is 'b', which is not a role defined"),
    ("users:\n  ann: boss\nroles:\n  a: {}\n", 2, "the role of user 'ann' is 'boss'"),
    ("roles:\n  a: {}\n  a: {}\n", 3, "'a' appears twice in roles"),
    ("roles:\n  a: {\n", 3, "is not valid YAML"),
    ("roles:\n  a:\n    tables:\n      deny: [a.b.c]\n", 4, "'a.b.c' is not a table name"),
]


@pytest.mark.parametrize(("text", "line", "message"), INVALID, ids=[m for _, _, m in INVALID])
def test_invalid_policy_files_say_where_and_what(tmp_path, text, line, message):
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError) as info:
        load_policy(path)
    error = info.value
    assert str(error).startswith(f"{path}:{line}: "), str(error)
    assert message in error.message and error.hint
    assert (error.setting, error.path, error.line) == ("policy_file", str(path), line)


def test_a_missing_policy_file(tmp_path):
    with pytest.raises(ConfigurationError, match="cannot read the policy file .*missing.yaml"):
        load_policy(tmp_path / "missing.yaml")


def _truth(session) -> dict:
    """What the clerk must never see, read without a policy."""
    customers = session.run_sql("SELECT customer_id, name, email FROM customers", limit=100000).df
    orders = session.run_sql("SELECT order_id, status FROM orders", limit=100000).df
    return {"secrets": {str(v) for v in customers["email"].dropna()} | {str(v) for v in customers["name"]},
            "visible_orders": set(orders.loc[orders["status"] != "cancelled", "order_id"])}


def _assert_nothing_leaks(df, truth, where):
    for column in df.columns:
        values = [v for v in df[column].tolist() if v is not None and v == v]
        for value in values:
            text = str(value)
            assert "cancelled" not in text, where
            assert not any(secret in text for secret in truth["secrets"]), f"{where}: {column}={text!r}"
        if column.lower() == "customer_id":
            assert all(int(v) % 2 == 1 for v in values), f"{where}: even customer_id"
        if column.lower() == "order_id":
            assert set(values) <= truth["visible_orders"], f"{where}: cancelled order"
        if column.lower() == "zero":
            assert values == [0], where


def _shapes(dialect: str) -> list:
    return [c for c in load_cases("policy/shapes.sql") if dialect in c.option_list("dialect", "sqlite, postgres")]


def test_nothing_outside_the_policy_comes_back_on_sqlite(session_factory):
    truth = _truth(session_factory())
    session = session_factory(policy_file=str(SHAPES))
    for case in _shapes("sqlite"):
        answer = session.run_sql(case.input)
        assert answer.status == "ok", case.where
        _assert_nothing_leaks(answer.df, truth, case.where)
    with pytest.raises(FirewallError, match="may not read the column 'email'"):
        session.run_sql("SELECT email FROM customers")


@pytest.mark.postgres
def test_nothing_outside_the_policy_comes_back_on_postgres(session_factory, postgres_shop):
    truth = _truth(session_factory(connection=postgres_shop))
    session = session_factory(connection=postgres_shop, policy_file=str(SHAPES))
    for case in _shapes("postgres"):
        answer = session.run_sql(case.input)
        assert answer.status == "ok", case.where
        _assert_nothing_leaks(answer.df, truth, case.where)
    with pytest.raises(FirewallError) as info:
        session.run_sql("SELECT * FROM order_totals")
    assert info.value.rule == "policy_table"


def test_the_prompt_only_shows_what_the_role_may_use(session_factory):
    model = FakeModel(["SELECT COUNT(*) FROM orders"])
    session = session_factory(model=model, policy_file=str(SHAPES))
    answer = session.ask("How many customers per supplier country, with their emails?")
    names = {t.name for t in answer.retrieved.tables}
    assert "suppliers" not in names and "customers" in names
    customers = next(t for t in answer.retrieved.tables if t.name == "customers")
    assert "email" not in {c.name for c in customers.columns}
    assert answer.retrieved.examples and not any("supplier" in s.example.sql.lower() or "email" in s.example.sql
                                                  for s in answer.retrieved.examples)
    assert not any("suppliers" in d.tables for d in answer.retrieved.definitions)
    assert "suppliers" not in {d.table for d in answer.retrieved.documents}
    prompt = "\n".join(m["content"] for m in model.calls[0])
    assert "CREATE TABLE suppliers" not in prompt and "CREATE TABLE customers" in prompt
    customers_ddl = prompt.split("CREATE TABLE customers", 1)[1].split(");", 1)[0]
    assert "email" not in customers_ddl and "name" in customers_ddl


def test_without_a_policy_the_same_question_sees_suppliers(session_factory):
    answer = session_factory(model=FakeModel(["SELECT 1"])).ask(
        "How many customers per supplier country, with their emails?")
    assert "suppliers" in {t.name for t in answer.retrieved.tables}
    assert any("suppliers" in d.tables for d in answer.retrieved.definitions)


def test_policy_check_shows_the_rewrite_without_running(shell, tmp_path):
    shell.run_line_magic("config", f"VannaMagic.policy_file = {str(SHAPES)!r}")
    check = shell.run_line_magic("vanna", "policy check SELECT name FROM customers WHERE name <> 'x'")
    assert check.role == "clerk" and check.allowed
    assert "WHERE customer_id % 2 = 1" in check.sql and "'***' AS \"name\"" in check.sql
    assert "name <> 'x'" in check.sql  # the SQL is read verbatim: its quotes survive
    assert "runs as:" in check.text()
    rejected = shell.run_line_magic("vanna", "policy check SELECT * FROM suppliers")
    assert not rejected.allowed and rejected.rule == "policy_table"
    assert "rejected by policy_table" in rejected.text()


def test_policy_check_without_a_policy(shell):
    check = shell.run_line_magic("vanna", "policy check DELETE FROM orders")
    assert check.role is None and check.rule == "read_only"
    assert "none (no policy_file set)" in check.text()


def test_a_session_audits_rejections_to_the_store(session_factory):
    session = session_factory()
    with pytest.raises(FirewallError):
        session.run_sql("SELECT load_extension('x')")
    events = [e for e in session.store.audit() if e["kind"] == "firewall_reject"]
    assert events and events[0]["detail"]["rule"] == "forbidden_function"
    assert "load_extension" not in str(events)


def test_the_fixture_paths_exist():
    assert Path(SHOP).is_file() and Path(SHAPES).is_file()


def test_the_role_follows_the_hub_user(session_factory, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "ann")
    assert session_factory(policy_file=str(SHOP)).data_policy().role == "admin"
    assert session_factory(policy_file=str(SHOP), role="regional").data_policy().role == "regional"
    monkeypatch.setenv("JUPYTERHUB_USER", "bob")
    assert session_factory(policy_file=str(SHOP)).data_policy().role == "analyst"
    assert session_factory().data_policy() is None


def test_a_broken_policy_file_stops_every_statement(session_factory, tmp_path):
    broken = tmp_path / "policy.yaml"
    broken.write_text("roles:\n  a:\n    tables: [orders]\n")
    session = session_factory(policy_file=str(broken))
    with pytest.raises(ConfigurationError, match=r"policy.yaml:3: tables of role 'a' must be a mapping"):
        session.run_sql("SELECT 1")


@pytest.mark.parametrize(("dialect", "names", "expected"), [
    ("oracle", ["CUSTOMER_ID", "NAME", "EMAIL", "REGION_ID"],
     "SELECT c.name FROM (SELECT \"CUSTOMER_ID\", SUBSTR(name, 1, 1) || '***' AS \"NAME\", \"REGION_ID\" "
     "FROM customers WHERE region_id = 1) c FETCH FIRST 10 ROWS ONLY"),
    ("postgres", ["customer_id", "name", "email", "region_id"],
     "SELECT c.name FROM (SELECT \"customer_id\", SUBSTRING(name FROM 1 FOR 1) || '***' AS \"name\", \"region_id\" "
     "FROM customers WHERE region_id = 1) AS c LIMIT 10"),
])
def test_rewrites_are_rendered_in_the_connection_dialect(dialect, names, expected):
    firewall = Firewall(dialect, 10, policy=load_policy(SHOP).role_for("bob"), columns=lambda schema, table: names)
    assert firewall.enforce("SELECT c.name FROM customers c") == expected


@pytest.mark.parametrize(("sql", "readable"), [
    ("SELECT name FROM products", True),
    ("SELECT s.name FROM products p JOIN suppliers s ON s.supplier_id = p.supplier_id", False),
    ("SELECT email FROM customers", False),
    ("SELECT name FROM customers", True),
    ("SELECT * FROM (", True),  # unparseable: left to the firewall
])
def test_knowledge_base_sql_is_judged_on_its_tree(sql, readable):
    assert can_read(load_policy(SHOP).role_for("bob"), sql, "sqlite") is readable


def test_definitions_and_documents_outside_the_role_are_dropped():
    role = load_policy(SHOP).role_for("bob")
    assert can_use(role, ("products", "suppliers"), "suppliers.name", "sqlite") is False
    assert can_use(role, ("customers",), "COUNT(DISTINCT email)", "sqlite") is False
    assert can_use(role, ("orders",), "SUM(shipping_cost)", "sqlite") is True
    assert can_use(role, ("suppliers",), None, "sqlite") is False
