"""Database and Catalog against a real PostgreSQL server (fresh databases, dropped afterwards)."""

from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from vanna_magic.core.data.catalog import Catalog
from vanna_magic.core.data.database import Database
from vanna_magic.core.data.dialects import postgres
from vanna_magic.core.data.dialects.generic import reflect_tables
from vanna_magic.core.data.schema import ForeignKey, render_ddl
from vanna_magic.core.errors import DatabaseConnectionError, ExecutionError, QueryTimeoutError

pytestmark = pytest.mark.postgres

DEFOG = Path(__file__).resolve().parents[1] / "bench" / "data" / "defog-dev"
RESTAURANTS = DEFOG / "databases" / "restaurants" / "postgres.sql"


@pytest.fixture(scope="module")
def shop(postgres_shop):
    db = Database(postgres_shop)
    yield db
    db.close()


def test_url_and_dialect(shop):
    assert shop.dialect == "postgres" and shop.url.startswith("postgresql+psycopg://")


def test_catalog_reads_columns_keys_comments_and_estimates(shop):
    tables = {t.name: t for t in Catalog(shop).tables()}
    assert set(tables) == {"customers", "products", "orders", "order_items", "order_totals"}
    customers = tables["customers"]
    assert customers.schema == "public" and customers.comment == "People who bought at least once."
    columns = {c.name: c for c in customers.columns}
    assert [c.name for c in customers.columns] == ["customer_id", "name", "email", "created_at"]
    assert columns["email"].type == "character varying(120)" and columns["email"].nullable
    assert columns["email"].comment == "Contact address; may be missing."
    assert columns["created_at"].type == "timestamp without time zone" and not columns["created_at"].nullable
    assert columns["customer_id"].primary_key and customers.primary_key == ("customer_id",)
    assert customers.row_estimate == 50
    assert tables["orders"].foreign_keys == (ForeignKey(("customer_id",), "customers", ("customer_id",)),)
    assert tables["orders"].row_estimate == 300
    items = tables["order_items"]
    assert items.primary_key == ("order_id", "product_id")
    assert set(items.foreign_keys) == {ForeignKey(("order_id",), "orders", ("order_id",)),
                                       ForeignKey(("product_id",), "products", ("product_id",))}
    assert tables["order_totals"].extra["kind"] == "view" and tables["order_totals"].row_estimate is None


def test_catalog_reads_only_the_search_path(shop):
    assert "events" not in [t.name for t in Catalog(shop).tables()], "schema audit is not on the search path"


def test_catalog_uses_a_few_statements(shop):
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(shop.engine, "before_cursor_execute", record)
    try:
        Catalog(shop).tables()
    finally:
        event.remove(shop.engine, "before_cursor_execute", record)
    catalog_reads = [s for s in seen if not s.startswith("SET ")]
    assert len(catalog_reads) == len(postgres.QUERIES) == 5


def test_reflection_fallback_agrees_with_the_bulk_queries(shop):
    bulk = {t.name: t for t in Catalog(shop).tables()}
    reflected = {t.name: t for t in reflect_tables(shop)}
    assert set(reflected) == set(bulk)
    for name, table in bulk.items():
        assert reflected[name].primary_key == table.primary_key, name
        assert set(reflected[name].foreign_keys) == set(table.foreign_keys), name
        assert reflected[name].comment == table.comment, name
        assert [(c.name, c.nullable, c.comment) for c in reflected[name].columns] == \
            [(c.name, c.nullable, c.comment) for c in table.columns], name


def test_render_ddl_of_the_real_catalog(shop):
    ddl = render_ddl(Catalog(shop).tables(), shop.dialect)
    assert "-- People who bought at least once.\n-- about 50 rows\nCREATE TABLE customers (" in ddl
    assert "  email character varying(120),  -- Contact address; may be missing." in ddl
    assert "FOREIGN KEY (customer_id) REFERENCES customers (customer_id)" in ddl


def test_execute_returns_rows(shop):
    frame = shop.execute(
        "SELECT status, COUNT(*) AS n FROM orders WHERE status LIKE '%ed' GROUP BY status ORDER BY status").frame
    assert frame.to_dict("records") == [{"status": "cancelled", "n": 100}, {"status": "placed", "n": 100},
                                        {"status": "shipped", "n": 100}]


@pytest.mark.parametrize("statement", [
    "INSERT INTO customers VALUES (999, 'Mallory', NULL, now())",
    "DELETE FROM order_items",
    "CREATE TABLE stolen (x int)",
    "WITH gone AS (DELETE FROM order_items RETURNING 1) SELECT COUNT(*) FROM gone",
    "COMMIT; DELETE FROM order_items",
])
def test_writes_fail_and_change_nothing(shop, statement):
    with pytest.raises(ExecutionError) as caught:
        shop.execute(statement)
    assert caught.value.sql == statement
    assert shop.execute("SELECT COUNT(*) AS n FROM customers").frame["n"].item() == 50
    assert shop.execute("SELECT COUNT(*) AS n FROM order_items").frame["n"].item() == 600


def test_sql_error_keeps_the_database_message_and_position(shop):
    with pytest.raises(ExecutionError) as caught:
        shop.execute("SELECT nope FROM customers")
    error = caught.value  # the server's own message and where it points (the wording is the server's)
    assert error.message == str(error.__cause__.orig).splitlines()[0] and "nope" in error.message
    assert "SELECT nope FROM customers"[error.position - 1:].startswith("nope")


@pytest.mark.timeout(60)
def test_statement_timeout(shop):
    with pytest.raises(QueryTimeoutError) as caught:
        shop.execute("SELECT pg_sleep(5)", timeout=0.5)
    assert caught.value.seconds == 0.5
    assert shop.execute("SELECT 1 AS one").frame["one"].item() == 1


def test_unknown_user_is_a_connection_error_without_the_password(postgres_server):
    url = make_url(postgres_server).set(username="nobody_x", password="hunter2secret")
    db = Database(url.render_as_string(hide_password=False))
    with pytest.raises(DatabaseConnectionError) as caught:
        db.execute("SELECT 1")
    text = f"{caught.value} {caught.value.hint} {db.url}"
    assert "hunter2secret" not in text
    assert "127.0.0.1" in caught.value.message and "nobody_x" in caught.value.message


def test_missing_database_is_a_connection_error(postgres_server):
    db = Database(make_url(postgres_server).set(database="vanna_no_such_db").render_as_string(hide_password=False))
    with pytest.raises(DatabaseConnectionError):
        db.ping()


@pytest.mark.timeout(30)
def test_unreachable_port_fails_fast():
    db = Database("postgresql://postgres:hunter2secret@127.0.0.1:1/test", connect_timeout=2)
    with pytest.raises(DatabaseConnectionError) as caught:
        db.ping()
    assert "hunter2secret" not in str(caught.value) and caught.value.hint


def test_defog_restaurants_dump(make_postgres_database):
    db = Database(make_postgres_database(RESTAURANTS.read_text(encoding="utf-8")))
    try:
        tables = {t.name: t for t in Catalog(db).tables()}
        assert set(tables) == {"geographic", "location", "restaurant"}
        assert [c.name for c in tables["restaurant"].columns] == ["id", "name", "food_type", "city_name", "rating"]
        assert tables["restaurant"].row_estimate == 11
        frame = db.execute("SELECT food_type, COUNT(*) AS n FROM restaurant GROUP BY food_type ORDER BY n DESC, "
                           "food_type LIMIT 1").frame
        assert frame.to_dict("records") == [{"food_type": "American", "n": 3}]
    finally:
        db.close()
