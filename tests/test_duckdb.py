"""DuckDB database files and in-memory databases through DuckDB's own API: catalog, execution, limits, locks."""

import threading
import time

import duckdb
import pytest

from vanna_magic.core.data.catalog import Catalog
from vanna_magic.core.data.sources import open_database
from vanna_magic.core.errors import (
    ConfigurationError,
    DatabaseConnectionError,
    ExecutionError,
    FirewallError,
    QueryCancelledError,
    QueryTimeoutError,
)

SLOW = "SELECT count(*) FROM range(100000000000) AS a"


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    path = tmp_path_factory.mktemp("duck") / "shop.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, region VARCHAR)")
    con.execute("COMMENT ON TABLE customers IS 'who buys'")
    con.execute("COMMENT ON COLUMN customers.name IS 'full name'")
    con.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id), "
                "total DECIMAL(10, 2), ordered_at TIMESTAMP)")
    con.execute("CREATE SCHEMA sales")
    con.execute("CREATE TABLE sales.targets (year INTEGER, amount DOUBLE)")
    con.execute("CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100")
    con.execute("INSERT INTO customers VALUES (1, 'Ann', 'north'), (2, 'Bob', 'south')")
    con.execute("INSERT INTO orders SELECT i, 1 + i % 2, i * 1.5, TIMESTAMP '2024-01-01' + i * INTERVAL 1 HOUR "
                "FROM range(1000) AS t(i)")
    con.close()
    return path


@pytest.fixture
def db(shop):
    database = open_database(f"duckdb:///{shop}", query_timeout=10)
    yield database
    database.close()


def test_a_file_is_read_with_its_catalog_in_two_queries(db, monkeypatch):
    from vanna_magic.core.data.duckdb_database import Reading

    statements = []
    original = Reading.exec_driver_sql
    monkeypatch.setattr(Reading, "exec_driver_sql", lambda self, sql, *a, **k: statements.append(sql) or
                        original(self, sql, *a, **k))
    tables = {(t.schema, t.name): t for t in Catalog(db).tables()}
    assert len(statements) == 2
    assert set(tables) == {("main", "customers"), ("main", "orders"), ("main", "big_orders"), ("sales", "targets")}
    customers, orders = tables[("main", "customers")], tables[("main", "orders")]
    assert customers.comment == "who buys" and customers.row_estimate == 2 and customers.primary_key == ("id",)
    assert [(c.name, c.type, c.nullable, c.comment) for c in customers.columns][1] == (
        "name", "VARCHAR", False, "full name")
    assert orders.row_estimate == 1000 and [fk.ref_table for fk in orders.foreign_keys] == ["customers"]
    assert tables[("main", "big_orders")].extra["kind"] == "view"


def test_statements_run_and_results_come_as_a_dataframe(db):
    result = db.execute("SELECT region, count(*) AS n FROM customers GROUP BY region ORDER BY region")
    assert result.frame.to_dict("list") == {"region": ["north", "south"], "n": [1, 1]}
    assert db.last_path == "arrow" and db.dialect == "duckdb"


def test_a_file_is_opened_read_only(db):
    with pytest.raises(ExecutionError):
        db.execute("INSERT INTO customers VALUES (3, 'Cy', 'west')")
    assert db.execute("SELECT count(*) AS n FROM customers").frame["n"][0] == 2


def test_in_memory_writes_are_rolled_back():
    memory = open_database("duckdb:///:memory:", query_timeout=10)
    memory.execute("CREATE TABLE t AS SELECT 1 AS x")
    with pytest.raises(ExecutionError):
        memory.execute("SELECT * FROM t")


def test_the_time_limit_interrupts_the_statement(db):
    start = time.monotonic()
    with pytest.raises(QueryTimeoutError):
        db.execute(SLOW, timeout=0.5)
    assert time.monotonic() - start < 5
    assert db.execute("SELECT 1 AS one").frame["one"][0] == 1  # the connection is still usable


def test_cancel_interrupts_the_statement_in_flight(db):
    errors = []

    def run():
        try:
            db.execute(SLOW, timeout=60)
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 10
    while db.cancel() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.join(10)
    assert not worker.is_alive() and len(errors) == 1 and isinstance(errors[0], QueryCancelledError)


@pytest.mark.parametrize("timeout", [0, -1, "soon", True])
def test_a_bad_timeout_is_one_sentence(db, timeout):
    with pytest.raises(ConfigurationError):
        db.execute("SELECT 1", timeout=timeout)


def test_a_missing_file_is_never_created(tmp_path):
    target = tmp_path / "nothing.duckdb"
    with pytest.raises(DatabaseConnectionError) as info:
        open_database(f"duckdb:///{target}", query_timeout=5)
    assert "\n" not in info.value.message and not target.exists()


@pytest.mark.parametrize("url", ["duckdb://user@host/x.duckdb", "duckdb:"])
def test_a_bad_duckdb_url_is_one_sentence(url):
    with pytest.raises((ConfigurationError, DatabaseConnectionError)) as info:
        open_database(url, query_timeout=5)
    assert "\n" not in info.value.message


def test_the_session_connects_asks_and_shows_the_schema(shop, session_factory):
    from tests.fakes import FakeModel

    session = session_factory(FakeModel(["```sql\nSELECT name FROM customers ORDER BY name\n```"]))
    info = session.connect(f"duckdb:///{shop}")
    assert (info.dialect, info.tables, info.name) == ("duckdb", 4, None)
    answer = session.ask("Who are the customers?")
    assert answer.status == "ok" and answer.frame["name"].tolist() == ["Ann", "Bob"]
    assert "LIMIT" in answer.executed_sql.upper()
    assert {t.name for t in session.schema()} >= {"customers", "orders"}
    assert session.schema("sales.targets")[0].name == "targets"
    status = session.status()
    assert (status.database, status.dialect, status.tables) == ("ok", "duckdb", 4)
    assert session.history().entries[0].sql


def test_the_firewall_stops_a_file_reader_before_duckdb(shop, session_factory):
    session = session_factory()
    session.connect(f"duckdb:///{shop}")
    with pytest.raises(FirewallError) as info:
        session.run_sql("SELECT * FROM read_csv('/etc/passwd')")
    assert info.value.rule == "external_access"


def test_a_missing_extra_is_one_sentence(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_duckdb(name, *args, **kwargs):
        if name == "duckdb" or name.startswith("duckdb."):
            raise ModuleNotFoundError("No module named 'duckdb'", name="duckdb")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(__import__("sys").modules, "duckdb")
    monkeypatch.setattr(builtins, "__import__", no_duckdb)
    with pytest.raises(ConfigurationError) as info:
        open_database("duckdb:///:memory:", query_timeout=5)
    assert "vanna-magic[duckdb]" in info.value.message and "\n" not in info.value.message


def test_a_session_over_a_file_exports_and_reruns(shop, session_factory, tmp_path):
    session = session_factory()
    session.connect(f"duckdb:///{shop}")
    answer = session.run_sql("SELECT id, total FROM orders ORDER BY id")
    target = tmp_path / "orders.csv"
    written = session.export(answer.history_id, target)
    assert written == 1000 and target.read_text().splitlines()[0] == "id,total"
    again = session.rerun(answer.history_id)
    assert again.frame.equals(answer.frame)


def test_a_file_another_connection_writes_is_one_sentence(tmp_path):
    path = tmp_path / "busy.duckdb"
    writer = duckdb.connect(str(path))
    writer.execute("CREATE TABLE t AS SELECT 1 AS x")
    try:
        with pytest.raises(DatabaseConnectionError) as info:
            open_database(f"duckdb:///{path}", query_timeout=5)
        assert "\n" not in info.value.message and info.value.hint
    finally:
        writer.close()


def test_session_cancel_stops_a_duckdb_statement(shop, session_factory):
    session = session_factory()
    session.connect(f"duckdb:///{shop}")
    errors = []

    def run():
        try:
            session.run_sql(SLOW)
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 10
    while session.cancel() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.join(10)
    assert not worker.is_alive() and len(errors) == 1 and isinstance(errors[0], QueryCancelledError)
