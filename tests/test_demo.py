"""The embedded demo database: deterministic, realistic, consistent, and safe to build concurrently."""

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from vanna_magic.core.data import demo
from vanna_magic.core.data.demo import SCHEMA_VERSION, demo_database, demo_knowledge_base, demo_url
from vanna_magic.core.errors import ConfigurationError

TABLES = ["regions", "customers", "suppliers", "products", "orders", "order_items"]

ROW_COUNTS = {
    "regions": (6, 6),
    "customers": (1100, 1300),
    "suppliers": (20, 30),
    "products": (180, 220),
    "orders": (8500, 9500),
    "order_items": (22000, 28000),
}

# table -> {(column, referenced table, referenced column)}
FOREIGN_KEYS = {
    "regions": set(),
    "customers": {("region_id", "regions", "region_id")},
    "suppliers": set(),
    "products": {("supplier_id", "suppliers", "supplier_id")},
    "orders": {("customer_id", "customers", "customer_id")},
    "order_items": {("order_id", "orders", "order_id"), ("product_id", "products", "product_id")},
}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    con = sqlite3.connect(demo_database(tmp_path_factory.mktemp("demo")))
    yield con
    con.close()


def scalar(con, sql):
    return con.execute(sql).fetchone()[0]


def test_the_file_is_named_after_the_schema_version(tmp_path):
    path = demo_database(tmp_path / "nested" / "cache")
    assert path == tmp_path / "nested" / "cache" / f"demo-retail-v{SCHEMA_VERSION}.sqlite"
    assert path.is_file()
    assert demo_url(tmp_path / "nested" / "cache") == "sqlite:///" + str(path)
    assert scalar(sqlite3.connect(path), "PRAGMA user_version") == SCHEMA_VERSION


def test_two_builds_hold_identical_rows(tmp_path):
    first = sqlite3.connect(demo_database(tmp_path / "a"))
    second = sqlite3.connect(demo_database(tmp_path / "b"))
    schema = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    assert first.execute(schema).fetchall() == second.execute(schema).fetchall()
    for table in TABLES:
        query = f"SELECT * FROM {table} ORDER BY 1"
        assert first.execute(query).fetchall() == second.execute(query).fetchall(), table


def test_an_existing_database_is_reused_not_rebuilt(tmp_path, monkeypatch):
    path = demo_database(tmp_path)

    def fail(target):
        raise AssertionError("rebuilt an existing database")

    monkeypatch.setattr(demo, "_build", fail)
    assert demo_database(tmp_path) == path


def test_a_failed_build_leaves_no_file_behind(tmp_path, monkeypatch):
    def crash(target):
        Path(target).write_bytes(b"half a database")
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "_build", crash)
    with pytest.raises(RuntimeError):
        demo_database(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_disk_error_is_a_configuration_error_and_leaves_no_file(tmp_path, monkeypatch):
    def disk_full(target):
        Path(target).write_bytes(b"half a database")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(demo, "_build", disk_full)
    with pytest.raises(ConfigurationError, match="disk is full") as info:
        demo_database(tmp_path)
    assert info.value.setting == "cache_dir" and "VANNA_MAGIC_CACHE_DIR" in info.value.hint
    assert list(tmp_path.iterdir()) == []


def test_a_cache_folder_that_cannot_be_created_is_a_configuration_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigurationError, match="cannot build the demo database"):
        demo_database(blocker / "cache")


def _build_in(folder, barrier, results):
    barrier.wait()
    results.put(str(demo_database(Path(folder))))


def test_concurrent_builds_leave_one_valid_file(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    workers = [ctx.Process(target=_build_in, args=(str(tmp_path), barrier, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    paths = {results.get(timeout=5) for _ in workers}
    expected = tmp_path / f"demo-retail-v{SCHEMA_VERSION}.sqlite"
    assert paths == {str(expected)}
    assert [p.name for p in tmp_path.iterdir()] == [expected.name]
    con = sqlite3.connect(expected)
    assert scalar(con, "PRAGMA integrity_check") == "ok"
    assert scalar(con, "SELECT COUNT(*) FROM order_items") > 0


@pytest.mark.parametrize("table", TABLES)
def test_row_counts_are_in_range(db, table):
    low, high = ROW_COUNTS[table]
    assert low <= scalar(db, f"SELECT COUNT(*) FROM {table}") <= high


@pytest.mark.parametrize("table", TABLES)
def test_foreign_keys_are_declared(db, table):
    declared = {(row[3], row[2], row[4]) for row in db.execute(f"PRAGMA foreign_key_list({table})")}
    assert declared == FOREIGN_KEYS[table]
    indexed = {row[2] for row in db.execute(f"PRAGMA index_list({table})")
               for row in db.execute(f"PRAGMA index_info({row[1]})")}
    assert {column for column, _, _ in FOREIGN_KEYS[table]} <= indexed


def test_foreign_keys_hold_and_the_file_is_sound(db):
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert scalar(db, "PRAGMA integrity_check") == "ok"


@pytest.mark.parametrize("sql, expected", [
    ("SELECT group_concat(DISTINCT segment) FROM (SELECT segment FROM customers ORDER BY segment)",
     "consumer,enterprise,small business"),
    ("SELECT group_concat(DISTINCT status) FROM (SELECT status FROM orders ORDER BY status)",
     "cancelled,delivered,pending,returned,shipped"),
    ("SELECT MIN(order_date) >= '2023-01-01' AND MAX(order_date) <= '2025-06-30' FROM orders", 1),
    ("SELECT COUNT(*) FROM orders WHERE order_date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'", 0),
    ("SELECT COUNT(*) FROM customers WHERE date(signup_date) IS NOT signup_date", 0),
    ("SELECT MIN(discount) = 0 AND MAX(discount) <= 0.3 FROM order_items", 1),
    ("SELECT COUNT(DISTINCT category) >= 6 FROM products", 1),
    ("SELECT group_concat(DISTINCT active) FROM (SELECT active FROM products ORDER BY active)", "0,1"),
    ("SELECT COUNT(*) FROM orders o JOIN customers c USING (customer_id) WHERE o.order_date < c.signup_date", 0),
    ("SELECT COUNT(*) FROM (SELECT order_id, product_id FROM order_items GROUP BY 1, 2 HAVING COUNT(*) > 1)", 0),
])
def test_values_are_realistic(db, sql, expected):
    assert scalar(db, sql) == expected


def test_more_orders_in_december_than_in_an_average_month(db):
    for year in ("2023", "2024"):
        months = dict(db.execute(
            "SELECT strftime('%m', order_date), COUNT(*) FROM orders "
            "WHERE strftime('%Y', order_date) = ? GROUP BY 1", (year,)))
        assert months["12"] > 1.4 * sum(months.values()) / 12, year


def test_orders_grow_year_over_year(db):
    first_halves = dict(db.execute(
        "SELECT strftime('%Y', order_date), COUNT(*) FROM orders WHERE strftime('%m', order_date) <= '06' GROUP BY 1"))
    assert first_halves["2023"] < first_halves["2024"] < first_halves["2025"]


def test_a_few_customers_buy_a_lot_and_some_never_buy(db):
    revenue = [row[0] for row in db.execute(
        "SELECT SUM(oi.quantity * oi.unit_price * (1 - oi.discount)) AS revenue FROM orders o "
        "JOIN order_items oi USING (order_id) WHERE o.status NOT IN ('cancelled', 'returned') "
        "AND o.order_date LIKE '2024-%' GROUP BY o.customer_id ORDER BY revenue DESC")]
    assert revenue[0] > 1.5 * revenue[1], "a clear top customer"
    assert revenue[4] > 1.01 * revenue[5], "a clear top five"
    assert sum(revenue[:len(revenue) // 10]) > 0.3 * sum(revenue), "the top tenth buys a large share"
    never = scalar(db, "SELECT COUNT(*) FROM customers WHERE customer_id NOT IN (SELECT customer_id FROM orders)")
    assert 20 < never < 400


def test_the_demo_knowledge_base_is_the_checkout_folder():
    folder = demo_knowledge_base()
    assert folder == Path(__file__).resolve().parents[1] / "knowledge_base"
    assert (folder / "semantic.yaml").is_file() and any((folder / "examples").glob("*.sql"))
