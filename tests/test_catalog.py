"""Catalog: bulk reads of tables, columns and keys on SQLite, and the DDL shown to the model."""

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event

from vanna_magic.core.data.catalog import Catalog, read_tables
from vanna_magic.core.data.database import Database
from vanna_magic.core.data.dialects.generic import reflect_tables
from vanna_magic.core.data.schema import Column, ForeignKey, Table, render_ddl
from vanna_magic.core.errors import VannaError

FIXTURES = Path(__file__).parent / "fixtures" / "catalog"

SHOP = """
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email VARCHAR(120));
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    placed_on DATE NOT NULL,
    "Order Note" TEXT
);
CREATE TABLE order_items (
    order_id INTEGER NOT NULL,
    line INTEGER NOT NULL,
    sku TEXT,
    PRIMARY KEY (order_id, line),
    FOREIGN KEY (order_id) REFERENCES orders
);
CREATE VIEW big_orders AS SELECT id, customer_id FROM orders WHERE id > 10;
"""


def make_sqlite(path, script, *, analyze=False):
    con = sqlite3.connect(path)
    con.executescript(script)
    if analyze:
        con.execute("ANALYZE")
        con.commit()
    con.close()
    return Database(f"sqlite:///{path}")


@pytest.fixture
def shop(tmp_path):
    db = make_sqlite(tmp_path / "shop.db", SHOP)
    yield db
    db.close()


def count_statements(db):
    seen = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_tables_columns_and_keys(shop):
    tables = {t.name: t for t in Catalog(shop).tables()}
    assert sorted(tables) == ["big_orders", "customers", "order_items", "orders"]
    customers = tables["customers"]
    assert customers.columns == (
        Column("id", "INTEGER", nullable=True, primary_key=True),
        Column("name", "TEXT", nullable=False),
        Column("email", "VARCHAR(120)"),
    )
    assert customers.primary_key == ("id",) and customers.foreign_keys == ()
    assert customers.row_estimate is None, "no sqlite_stat1 and no COUNT(*) per table"
    orders = tables["orders"]
    assert [c.name for c in orders.columns] == ["id", "customer_id", "placed_on", "Order Note"]
    assert orders.foreign_keys == (ForeignKey(("customer_id",), "customers", ("id",)),)
    items = tables["order_items"]
    assert items.primary_key == ("order_id", "line")
    assert [c.primary_key for c in items.columns] == [True, True, False]
    # REFERENCES orders without columns means the primary key of orders
    assert items.foreign_keys == (ForeignKey(("order_id",), "orders", ("id",)),)
    assert tables["big_orders"].extra["kind"] == "view"
    assert [c.name for c in tables["big_orders"].columns] == ["id", "customer_id"]


def test_row_estimates_come_from_sqlite_stat1(tmp_path):
    script = SHOP + "".join(f"INSERT INTO customers (name) VALUES ('c{i}');" for i in range(37))
    db = make_sqlite(tmp_path / "stats.db", script, analyze=True)
    tables = {t.name: t for t in Catalog(db).tables()}
    assert tables["customers"].row_estimate == 37


def test_catalog_is_cached_until_refreshed(shop, tmp_path):
    catalog = Catalog(shop)
    seen = count_statements(shop)
    first = catalog.tables()
    issued = len(seen)
    assert catalog.tables() == first and len(seen) == issued
    con = sqlite3.connect(tmp_path / "shop.db")
    con.execute("CREATE TABLE added (x INTEGER)")
    con.commit()
    con.close()
    assert "added" not in [t.name for t in catalog.tables()]
    catalog.refresh()
    assert "added" in [t.name for t in catalog.tables()] and len(seen) == 2 * issued


def many_tables(count):
    parts = ["CREATE TABLE t0 (id INTEGER PRIMARY KEY, label TEXT);"]
    for i in range(1, count):
        parts.append(f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES t{i - 1} (id), v REAL);")
    return "\n".join(parts)


def test_statement_count_does_not_grow_with_the_number_of_tables(tmp_path):
    counts = {}
    for n in (3, 50):
        db = make_sqlite(tmp_path / f"many{n}.db", many_tables(n), analyze=True)
        seen = count_statements(db)
        tables = read_tables(db)
        assert len(tables) == n and tables[1].foreign_keys
        counts[n] = len(seen)
        db.close()
    assert counts[3] == counts[50] <= 4


def test_table_lookup_is_case_insensitive(shop):
    catalog = Catalog(shop)
    assert catalog.table("ORDERS").name == "orders"
    assert catalog.table("main.customers").name == "customers"


def test_unknown_table_suggests_close_names(shop):
    with pytest.raises(VannaError) as caught:
        Catalog(shop).table("order")
    assert "'order'" in caught.value.message
    assert "orders" in caught.value.hint and "order_items" in caught.value.hint


def test_broken_view_is_reported_and_the_rest_still_read(tmp_path):
    db = make_sqlite(tmp_path / "broken.db", SHOP + "CREATE TABLE gone (x); CREATE VIEW stale AS SELECT x FROM gone;"
                     "DROP TABLE gone;")
    catalog = Catalog(db)
    names = [t.name for t in catalog.tables()]
    assert "stale" not in names and {"customers", "orders", "order_items", "big_orders"} <= set(names)
    assert len(catalog.problems) == 1 and catalog.problems[0].startswith("stale:")


def test_inspector_fallback_reads_the_same_structure(shop):
    bulk = {t.name: t for t in read_tables(shop)}
    reflected = {t.name: t for t in reflect_tables(shop)}
    assert set(bulk) == set(reflected)
    for name, table in bulk.items():
        assert reflected[name].primary_key == table.primary_key, name
        assert reflected[name].foreign_keys == table.foreign_keys, name
        assert [c.name for c in reflected[name].columns] == [c.name for c in table.columns], name


def test_render_ddl_matches_the_expected_text():
    tables = [
        Table("customers", (Column("id", "integer", False, True), Column("email", "varchar(120)", comment="may be\n"
              "missing")), schema="public", primary_key=("id",), comment="People who bought", row_estimate=1200),
        Table("order", (Column("id", "integer", False, True), Column("customer_id", "integer", False),
                        Column("Total Due", "numeric(10,2)")), schema="sales", primary_key=("id",),
              foreign_keys=(ForeignKey(("customer_id",), "customers", ("id",)),)),
        Table("order_totals", (Column("order_id", ""),), extra={"kind": "view"}),
    ]
    expected = (FIXTURES / "render_ddl.sql").read_text(encoding="utf-8").strip()
    assert render_ddl(tables, "postgres") == expected


def test_render_ddl_quotes_with_the_dialect_mark():
    table = Table("Order Lines", (Column("select", "INT"),))
    assert render_ddl([table], "mysql") == "CREATE TABLE `Order Lines` (\n  `select` INT\n);"
