"""Database and Catalog against a real MariaDB/MySQL server (a fresh database per module, dropped afterwards).

The server is ``VANNA_TEST_MYSQL_URL`` (default ``mysql://root@127.0.0.1:3306/test``); the tests FAIL, never
skip, when it does not answer.
"""

import os
import secrets

import pytest
from sqlalchemy.engine import make_url

from vanna_magic.core.data.catalog import Catalog
from vanna_magic.core.data.database import Database
from vanna_magic.core.data.dialects.generic import reflect_tables
from vanna_magic.core.data.schema import ForeignKey, render_ddl
from vanna_magic.core.errors import DatabaseConnectionError, ExecutionError, QueryTimeoutError

pytestmark = pytest.mark.mysql

MYSQL_URL = os.environ.get("VANNA_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
SHOP = """
CREATE TABLE customers (
  customer_id INT PRIMARY KEY,
  name VARCHAR(80) NOT NULL,
  email VARCHAR(120) COMMENT 'Contact address; may be missing.',
  created_at DATETIME NOT NULL
) ENGINE=InnoDB COMMENT='People who bought at least once.';
CREATE TABLE products (product_id INT PRIMARY KEY, title VARCHAR(80) NOT NULL, price DECIMAL(10,2) NOT NULL);
CREATE TABLE orders (
  order_id INT PRIMARY KEY,
  customer_id INT NOT NULL,
  status VARCHAR(20) NOT NULL,
  CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (customer_id)
);
CREATE TABLE order_items (
  order_id INT NOT NULL, product_id INT NOT NULL, quantity INT NOT NULL,
  PRIMARY KEY (order_id, product_id),
  CONSTRAINT items_order FOREIGN KEY (order_id) REFERENCES orders (order_id),
  CONSTRAINT items_product FOREIGN KEY (product_id) REFERENCES products (product_id)
);
CREATE VIEW order_totals AS SELECT order_id, SUM(quantity) AS items FROM order_items GROUP BY order_id;
INSERT INTO customers SELECT seq, CONCAT('customer ', seq), NULL, '2024-01-01' FROM seq_1_to_50;
INSERT INTO products SELECT seq, CONCAT('product ', seq), seq * 1.5 FROM seq_1_to_20;
INSERT INTO orders SELECT seq, 1 + seq % 50, ELT(1 + seq % 3, 'placed', 'shipped', 'cancelled') FROM seq_1_to_300;
INSERT INTO order_items SELECT o.seq, p.seq, 1 FROM seq_1_to_300 AS o, seq_1_to_2 AS p;
"""


def _admin(database: str | None = None):
    import pymysql

    url = make_url(MYSQL_URL)
    return pymysql.connect(host=url.host or "127.0.0.1", port=url.port or 3306, user=url.username or "root",
                           password=url.password or "", database=database, autocommit=True, connect_timeout=5)


@pytest.fixture(scope="module")
def mysql_shop():
    import pymysql

    try:
        _admin().close()
    except pymysql.Error as exc:
        pytest.fail(f"MariaDB/MySQL is not reachable at {make_url(MYSQL_URL).render_as_string()} ({exc}). Start "
                    "the server, or point VANNA_TEST_MYSQL_URL at one: tests marked 'mysql' need it.", pytrace=False)
    name = f"vanna_test_{secrets.token_hex(6)}"
    with _admin() as admin, admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
    try:
        with _admin(name) as conn, conn.cursor() as cursor:
            for statement in filter(str.strip, SHOP.split(";\n")):
                cursor.execute(statement)
            cursor.execute("ANALYZE TABLE customers, products, orders, order_items")
        db = Database(make_url(MYSQL_URL).set(database=name).render_as_string(hide_password=False))
        yield db
        db.close()
    finally:
        with _admin() as admin, admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


def test_url_and_dialect(mysql_shop):
    assert mysql_shop.dialect == "mysql" and mysql_shop.url.startswith("mysql+pymysql://")


def test_catalog_reads_columns_keys_comments_and_estimates(mysql_shop):
    tables = {t.name: t for t in Catalog(mysql_shop).tables()}
    assert set(tables) == {"customers", "products", "orders", "order_items", "order_totals"}
    customers = tables["customers"]
    assert customers.schema is None and customers.comment == "People who bought at least once."
    assert [c.name for c in customers.columns] == ["customer_id", "name", "email", "created_at"]
    email = customers.columns[2]
    assert (email.type, email.nullable, email.comment) == ("varchar(120)", True, "Contact address; may be missing.")
    assert customers.primary_key == ("customer_id",) and customers.columns[0].primary_key
    assert customers.row_estimate == 50
    assert tables["orders"].foreign_keys == (ForeignKey(("customer_id",), "customers", ("customer_id",)),)
    items = tables["order_items"]
    assert items.primary_key == ("order_id", "product_id")
    assert set(items.foreign_keys) == {ForeignKey(("order_id",), "orders", ("order_id",)),
                                       ForeignKey(("product_id",), "products", ("product_id",))}
    totals = tables["order_totals"]
    assert totals.extra["kind"] == "view" and totals.row_estimate is None and totals.comment is None


def test_catalog_uses_a_few_statements(mysql_shop):
    from sqlalchemy import event

    seen = []
    record = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
    event.listen(mysql_shop.engine, "before_cursor_execute", record)
    try:
        Catalog(mysql_shop).tables()
    finally:
        event.remove(mysql_shop.engine, "before_cursor_execute", record)
    assert len([s for s in seen if not s.startswith("SET ")]) == 4  # tables, columns, keys, DATABASE()


def test_reflection_fallback_agrees_with_the_bulk_queries(mysql_shop):
    bulk = {t.name: t for t in Catalog(mysql_shop).tables()}
    reflected = {t.name: t for t in reflect_tables(mysql_shop)}
    assert set(reflected) == set(bulk)
    for name, table in bulk.items():
        assert reflected[name].primary_key == table.primary_key, name
        assert set(reflected[name].foreign_keys) == set(table.foreign_keys), name
        nullable = table.extra["kind"] == "table"  # reflection reports every view column as nullable
        assert [(c.name, c.nullable or not nullable) for c in reflected[name].columns] == \
            [(c.name, c.nullable or not nullable) for c in table.columns], name


def test_render_ddl_uses_backticks_only_where_needed(mysql_shop):
    ddl = render_ddl(Catalog(mysql_shop).tables(), mysql_shop.dialect)
    assert "-- People who bought at least once.\n-- about 50 rows\nCREATE TABLE customers (" in ddl
    assert "  email varchar(120),  -- Contact address; may be missing." in ddl
    assert "FOREIGN KEY (customer_id) REFERENCES customers (customer_id)" in ddl


def test_execute_returns_rows(mysql_shop):
    frame = mysql_shop.execute(
        "SELECT status, COUNT(*) AS n FROM orders WHERE status LIKE '%ed' GROUP BY status ORDER BY status").frame
    assert frame.to_dict("records") == [{"status": "cancelled", "n": 100}, {"status": "placed", "n": 100},
                                        {"status": "shipped", "n": 100}]


@pytest.mark.parametrize("statement", [
    "INSERT INTO customers VALUES (999, 'Mallory', NULL, NOW())",
    "DELETE FROM order_items",
    "CREATE TABLE stolen (x INT)",
    "DROP TABLE order_items",
    "CREATE TEMPORARY TABLE scratch (x INT)",
    "COMMIT; DELETE FROM order_items",
])
def test_writes_fail_and_change_nothing(mysql_shop, statement):
    with pytest.raises(ExecutionError) as caught:
        mysql_shop.execute(statement)
    assert caught.value.sql == statement
    assert mysql_shop.execute("SELECT COUNT(*) AS n FROM customers").frame["n"].item() == 50
    assert mysql_shop.execute("SELECT COUNT(*) AS n FROM order_items").frame["n"].item() == 600
    assert "stolen" not in [t.name for t in Catalog(mysql_shop).tables()]


def test_a_statement_after_commit_is_still_read_only(mysql_shop):
    with mysql_shop.reading() as conn:
        conn.exec_driver_sql("COMMIT")
        with pytest.raises(Exception) as caught:
            conn.exec_driver_sql("DELETE FROM order_items")
        assert caught.value.orig.args[0] == 1792  # ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
    assert mysql_shop.execute("SELECT COUNT(*) AS n FROM order_items").frame["n"].item() == 600


def test_sql_error_keeps_the_database_message(mysql_shop):
    with pytest.raises(ExecutionError) as caught:
        mysql_shop.execute("SELECT nope FROM customers")
    message = caught.value.message  # the server's words (they vary by version) and its error number
    assert "'nope'" in message and message.endswith(" (error 1054)")  # ER_BAD_FIELD_ERROR


@pytest.mark.timeout(60)
def test_statement_timeout(mysql_shop):
    with pytest.raises(QueryTimeoutError) as caught:
        mysql_shop.execute("SELECT SLEEP(5) FROM customers", timeout=0.5)
    assert caught.value.seconds == 0.5
    assert mysql_shop.execute("SELECT 1 AS one").frame["one"].item() == 1


def test_unknown_user_is_a_connection_error_without_the_password():
    db = Database(make_url(MYSQL_URL).set(username="nobody_x", password="hunter2secret")
                  .render_as_string(hide_password=False))
    with pytest.raises(DatabaseConnectionError) as caught:
        db.ping()
    assert "hunter2secret" not in f"{caught.value} {db.url}" and "nobody_x" in caught.value.message


def test_ask_pipeline_runs_on_mariadb(mysql_shop, session_factory):
    from tests.fakes import FakeModel

    url = mysql_shop.engine.url.render_as_string(hide_password=False)
    model = FakeModel(["```sql\nSELECT name FROM customers ORDER BY customer_id LIMIT 2\n```"])
    answer = session_factory(model=model, connection=url).ask("first two customers?")
    assert answer.frame["name"].tolist() == ["customer 1", "customer 2"]
    assert answer.dialect == "mysql"
    assert any("CREATE TABLE customers" in message["content"] for message in model.calls[0])


def test_a_table_name_in_another_case_is_spelt_as_the_catalog_spells_it(mysql_shop, session_factory):
    from tests.fakes import FakeModel

    url = mysql_shop.engine.url.render_as_string(hide_password=False)
    sql = "SELECT COUNT(*) AS n FROM ORDERS WHERE Orders.STATUS = 'shipped'"
    model = FakeModel(lambda messages: f"```sql\n{sql}\n```")
    answer = session_factory(model=model, connection=url).ask("How many orders shipped?")
    assert answer.repairs == 0 and answer.frame["n"].tolist() == [100]
    assert "ORDERS written orders: MySQL tells table names apart by case" in answer.notes
    with pytest.raises(ExecutionError):  # MariaDB here tells table names apart by case
        session_factory(model=model, connection=url, rewrite_rules="-identifier_case").ask("How many orders shipped?")
