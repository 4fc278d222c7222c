"""Oracle without a server: the SQL we send, the driver calls we make, and how driver errors become ours.

The seam is SQLAlchemy's ``Connection`` as :class:`Database` uses it: ``FakeConnection`` records every
statement and the ``call_timeout`` set on the python-oracledb connection, and raises real
python-oracledb errors (built with the driver's own error constructors) where a test scripts them.
"""

import oracledb
import pytest
import sqlglot
from oracledb import errors as ora_errors
from sqlalchemy import exc as sa_exc

from vanna_magic.core.data.catalog import Catalog
from vanna_magic.core.data.database import Database
from vanna_magic.core.data.dialects import oracle
from vanna_magic.core.data.schema import ForeignKey, render_ddl
from vanna_magic.core.errors import DatabaseConnectionError, ExecutionError, QueryTimeoutError

URL = "oracle+oracledb://scott:tiger99@db.example.com:1521/?service_name=ORCLPDB1"


class FakeResult:
    def __init__(self, rows, columns=()):
        self.returns_rows = True
        self._rows, self._columns = rows, list(columns)
        self.cursor = self

    def fetchall(self):
        return list(self._rows)

    def keys(self):
        return self._columns


class FakeDBAPIConnection:
    call_timeout = 0


class FakeConnection:
    """What ``Database.reading`` uses of a SQLAlchemy connection; answers from ``script`` {sql: rows | error}."""

    def __init__(self, script):
        self.script, self.sent, self.closed = script, [], False
        self.connection = type("Pooled", (), {"dbapi_connection": FakeDBAPIConnection()})()

    def begin(self):
        self.sent.append("<begin>")

    def exec_driver_sql(self, sql, params=None, execution_options=None):
        self.sent.append(sql)
        answer = self.script.get(sql, [])
        if isinstance(answer, BaseException):
            raise sa_exc.DatabaseError(sql, params, answer)
        return FakeResult(*answer) if isinstance(answer, tuple) else FakeResult(answer)

    def close(self):
        self.closed = True


@pytest.fixture
def fake(monkeypatch):
    """A Database on an Oracle URL whose connections are FakeConnections sharing one script."""
    db = Database(URL)
    state = {"script": {}, "connections": []}

    def connect():
        conn = FakeConnection(state["script"])
        state["connections"].append(conn)
        return conn

    monkeypatch.setattr(db, "_connect", connect)
    return db, state


def _ora(error_num, **args):
    return oracledb.DatabaseError(ora_errors._create_err(error_num, **args))


@pytest.mark.parametrize("url, host, service, dsn", [
    (URL, "db.example.com", "ORCLPDB1", None),
    ("oracle://scott:tiger99@db.example.com:1521/?service_name=ORCLPDB1", "db.example.com", "ORCLPDB1", None),
    ("oracle+oracledb://scott:tiger99@sales_tns_alias", "sales_tns_alias", None, None),
])
def test_urls_with_a_service_name_or_a_dsn(url, host, service, dsn):
    db = Database(url)
    assert db.dialect == "oracle" and db.url.startswith("oracle+oracledb://scott:***@")
    assert db.engine.url.host == host and db.engine.url.query.get("service_name") == service
    args = db.engine.dialect.create_connect_args(db.engine.url)[1]
    assert args["user"] == "scott" and "tiger99" not in db.url


def test_every_reading_is_a_read_only_transaction_with_a_call_timeout(fake):
    db, state = fake
    state["script"]["SELECT 1 AS one FROM dual"] = ([(1,)], ["one"])
    db.execute("SELECT 1 AS one FROM dual", timeout=2.5)
    conn = state["connections"][-1]
    assert conn.sent == ["<begin>", "SET TRANSACTION READ ONLY", "SELECT 1 AS one FROM dual"]
    assert conn.connection.dbapi_connection.call_timeout == 2500 and conn.closed


@pytest.mark.parametrize("error, expected", [
    (_ora(ora_errors.ERR_CALL_TIMEOUT_EXCEEDED, timeout=2500), QueryTimeoutError),
    (oracledb.DatabaseError(ora_errors._Error("ORA-01013: user requested cancel of current operation")),
     QueryTimeoutError),
    (oracledb.DatabaseError(ora_errors._Error("ORA-00942: table or view does not exist")), ExecutionError),
    (_ora(ora_errors.ERR_ORACLE_TYPE_NOT_SUPPORTED, name="BFILE"), ExecutionError),
])
def test_driver_errors_become_ours_by_code(fake, error, expected):
    db, state = fake
    state["script"]["SELECT x FROM t"] = error
    with pytest.raises(expected) as caught:
        db.execute("SELECT x FROM t", timeout=2.5)
    assert type(caught.value) is expected and caught.value.sql == "SELECT x FROM t"
    if expected is QueryTimeoutError:
        assert caught.value.seconds == 2.5
    thin = error.args[0].full_code.startswith("DPY-3")
    assert (caught.value.hint or "").startswith("python-oracledb's thin mode lacks this (DPY-3006)") == thin


@pytest.mark.parametrize("error_num, code", [(ora_errors.ERR_SERVER_VERSION_NOT_SUPPORTED, "DPY-3010"),
                                             (ora_errors.ERR_FEATURE_NOT_SUPPORTED, "DPY-3001")])
def test_thin_mode_limits_at_connect_say_how_to_use_thick_mode(monkeypatch, error_num, code):
    db = Database(URL)

    def refuse():
        args = {"feature": "Native Network Encryption and Data Integrity", "driver_type": "thin"} \
            if code == "DPY-3001" else {}
        raise sa_exc.OperationalError("connect", None, _ora(error_num, **args))

    monkeypatch.setattr(db.engine, "connect", refuse)
    with pytest.raises(DatabaseConnectionError) as caught:
        db.ping()
    assert caught.value.message.startswith(f"cannot connect to oracle+oracledb://scott:***@db.example.com:1521/"
                                           f"?service_name=ORCLPDB1: {code}: ")
    assert caught.value.hint == (
        f"python-oracledb's thin mode lacks this ({code}). Use thick mode: install Oracle Instant Client and call "
        "oracledb.init_oracle_client() before connecting, or ask the DBA for a 12.1+ server and a 12c password "
        "verifier.")
    assert "tiger99" not in str(caught.value)


def test_a_name_held_in_lower_case_is_written_quoted_in_the_prompt_and_by_the_rewrite(fake):
    from vanna_magic.core.rewrite import rewrite

    db, state = fake
    state["script"].update({
        oracle.TABLES: [("notes", "TABLE", None, 3), ("ORDERS", "TABLE", None, 3)],
        oracle.COLUMNS: [("notes", "body", "VARCHAR2", 200, None, None, "Y", None),
                         ("notes", "AUTHOR", "VARCHAR2", 20, None, None, "Y", None),
                         ("ORDERS", "ORDER_ID", "NUMBER", 0, None, None, "N", None)],
        oracle.CURRENT_SCHEMA: [("SCOTT",)],
    })
    tables = Catalog(db).tables()
    assert [t.name for t in tables] == ["notes", "orders"]  # "notes" as held, ORDERS as SQLAlchemy shows it
    assert 'CREATE TABLE "notes" (\n  "body" VARCHAR2(200),\n  author VARCHAR2(20)\n);' in render_ddl(tables, "oracle")
    sql, _ = rewrite("SELECT body, author, order_id FROM notes CROSS JOIN orders", "oracle", tables)
    assert sql == 'SELECT "body", author, order_id FROM "notes" CROSS JOIN orders'


@pytest.mark.parametrize("sql", oracle.QUERIES)
def test_catalog_queries_are_oracle_sql_over_the_catalog_views(sql):
    parsed = sqlglot.parse_one(sql, read="oracle")
    assert parsed is not None and "SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')" in sql


def test_catalog_reads_the_five_views_in_four_statements(fake):
    db, state = fake
    state["script"].update({
        oracle.TABLES: [("CUSTOMERS", "TABLE", "People who bought.", 50), ("ORDERS", "TABLE", None, 300),
                        ("ORDER_ITEMS", "TABLE", None, None), ("Mixed", "TABLE", None, 0),
                        ("ORDER_TOTALS", "VIEW", None, None)],
        oracle.COLUMNS: [
            ("CUSTOMERS", "CUSTOMER_ID", "NUMBER", 0, 10, 0, "N", None),
            ("CUSTOMERS", "EMAIL", "VARCHAR2", 120, None, None, "Y", "Contact address."),
            ("CUSTOMERS", "CREATED_AT", "TIMESTAMP(6)", 0, None, None, "N", None),
            ("ORDERS", "ORDER_ID", "NUMBER", 0, None, None, "N", None),
            ("ORDERS", "CUSTOMER_ID", "NUMBER", 0, 10, 0, "N", None),
            ("ORDERS", "TOTAL", "NUMBER", 0, 12, 2, "Y", None),
            ("ORDERS", "REGION", "CHAR", 2, None, None, "Y", None),
            ("ORDER_ITEMS", "ORDER_ID", "NUMBER", 0, None, None, "N", None),
            ("ORDER_ITEMS", "LINE", "NUMBER", 0, 5, 0, "N", None),
            ("Mixed", "Id", "NUMBER", 0, None, None, "N", None),
            ("ORDER_TOTALS", "ORDER_ID", "NUMBER", 0, None, None, "Y", None),
        ],
        oracle.CONSTRAINTS: [
            ("CUSTOMERS", "PK_CUSTOMERS", "P", "CUSTOMER_ID", None, None, None),
            ("ORDERS", "FK_ORDERS_CUSTOMER", "R", "CUSTOMER_ID", "SCOTT", "CUSTOMERS", "CUSTOMER_ID"),
            ("ORDERS", "FK_ORDERS_REGION", "R", "REGION", "GEO", "REGIONS", "CODE"),
            ("ORDERS", "PK_ORDERS", "P", "ORDER_ID", None, None, None),
            ("ORDER_ITEMS", "PK_ORDER_ITEMS", "P", "ORDER_ID", None, None, None),
            ("ORDER_ITEMS", "PK_ORDER_ITEMS", "P", "LINE", None, None, None),
        ],
        oracle.CURRENT_SCHEMA: [("SCOTT",)],
    })
    tables = {t.name: t for t in Catalog(db).tables()}
    conn = state["connections"][-1]
    assert conn.sent == ["<begin>", "SET TRANSACTION READ ONLY", *oracle.QUERIES]
    for view in ("all_tab_columns", "all_constraints", "all_cons_columns", "all_tab_comments", "all_col_comments"):
        assert any(view in sql for sql in oracle.QUERIES), view
    assert list(tables) == ["customers", "orders", "order_items", "Mixed", "order_totals"]
    customers = tables["customers"]
    assert customers.comment == "People who bought." and customers.row_estimate == 50
    assert [(c.name, c.type, c.nullable, c.comment) for c in customers.columns] == [
        ("customer_id", "NUMBER(10)", False, None), ("email", "VARCHAR2(120)", True, "Contact address."),
        ("created_at", "TIMESTAMP(6)", False, None)]
    orders = tables["orders"]
    assert [c.type for c in orders.columns] == ["NUMBER", "NUMBER(10)", "NUMBER(12,2)", "CHAR(2)"]
    assert orders.primary_key == ("order_id",)
    assert orders.foreign_keys == (ForeignKey(("customer_id",), "customers", ("customer_id",)),
                                   ForeignKey(("region",), "geo.regions", ("code",)))
    assert tables["order_items"].primary_key == ("order_id", "line")
    assert tables["order_totals"].extra["kind"] == "view" and tables["order_totals"].row_estimate is None
    ddl = render_ddl([tables["Mixed"], orders], "oracle")
    assert 'CREATE TABLE "Mixed" (\n  "Id" NUMBER NOT NULL\n);' in ddl
    assert "FOREIGN KEY (region) REFERENCES geo.regions (code)" in ddl


@pytest.mark.parametrize("sql, executed", [
    ("SELECT * FROM orders", "SELECT * FROM orders FETCH FIRST 10 ROWS ONLY"),
    ("SELECT * FROM orders FETCH FIRST 50 ROWS ONLY", "SELECT * FROM orders FETCH FIRST 10 ROWS ONLY"),
    ('SELECT "Mixed"."Id" FROM "Mixed" WHERE created > SYSDATE - 30',
     'SELECT "Mixed"."Id" FROM "Mixed" WHERE created > SYSDATE - 30 FETCH FIRST 10 ROWS ONLY'),
])
def test_the_row_cap_is_written_in_oracle_sql(sql, executed):
    from vanna_magic.core.guard import Firewall

    assert Firewall("oracle", 10).check(sql).sql == executed


def test_the_role_check_names_dba_and_policy_exemptions(fake):
    from vanna_magic.core.data.role import check_role

    db, state = fake
    assert sqlglot.parse_one(oracle.ROLE, read="oracle") is not None  # the probe is Oracle SQL
    state["script"][oracle.ROLE] = [("SCOTT", "DBA"), ("SCOTT", "EXEMPT ACCESS POLICY"), ("SCOTT", "CREATE TABLE"),
                                    ("SCOTT", None)]
    check = check_role(db)
    assert check.role == "SCOTT" and not check.read_only
    assert "DBA" in check.warning and "EXEMPT ACCESS POLICY" in check.warning and "CREATE USER" in check.warning
    assert state["connections"][-1].sent[:2] == ["<begin>", "SET TRANSACTION READ ONLY"]
    state["script"][oracle.ROLE] = [("READER", None)]
    assert check_role(db).read_only and check_role(db).warning is None
