"""Property: any statement the firewall accepts leaves PostgreSQL's data, catalog and session unchanged.

Statements are generated from reads, writes, DDL, session commands and side-effecting
functions, nested in subqueries, CTEs and set operations, stacked, commented and recased.
Accepted ones run in a read-WRITE transaction (so only the firewall stands in the way);
a fingerprint of the data, the catalog, sequences, settings and advisory locks is taken
before, inside the transaction after the statement, and after the rollback.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import POSTGRES_FIXTURES
from vanna_magic.core.guard import Firewall

TABLES = ("customers", "orders", "products", "order_items")
READS = ("1", "customer_id", "COUNT(*)", "now()", "current_setting('TimeZone')", "upper('x')", "random()",
         "COALESCE(NULL, 2)", "currval", "'; DELETE FROM orders; --'")
SIDE_EFFECTS = ("nextval('s')", "setval('s', 99)", "set_config('search_path', 'x', false)", "pg_advisory_lock(7)",
                "lo_create(0)", "pg_sleep(0)", "txid_current()", "pg_notify('c', 'x')", "pg_catalog.NEXTVAL('s')",
                "query_to_xml('insert into customers values (999, ''x'', null, now()) returning 1', true, true, '')",
                '"setval"(\'s\', 5)', "dblink_exec('x')")
WRITES = ("INSERT INTO customers VALUES (999, 'x', NULL, now())", "UPDATE orders SET status = 'x'",
          "DELETE FROM order_items", "CREATE TABLE z (a int)", "DROP TABLE order_items", "SET search_path = x",
          "COPY customers TO STDOUT", "TRUNCATE orders CASCADE", "ALTER TABLE customers ADD COLUMN z int",
          "CREATE INDEX ON orders (status)", "LOCK TABLE orders", "COMMENT ON TABLE customers IS 'x'",
          "ANALYZE customers", "DISCARD ALL", "CALL p()", "DO $$BEGIN DELETE FROM orders; END$$",
          "SELECT * INTO z FROM customers", "SELECT * FROM orders FOR UPDATE", "RESET ALL",
          "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "CREATE SEQUENCE s2", "SELECT setval('s', 3)")
RETURNING = ("DELETE FROM order_items RETURNING order_id", "UPDATE orders SET status = 'x' RETURNING order_id",
             "INSERT INTO customers VALUES (998, 'y', NULL, now()) RETURNING customer_id")


def _select(exprs: list[str], table: str, where: str | None) -> str:
    sql = f"SELECT {', '.join(exprs)} FROM {table}"
    return sql + (f" WHERE {where}" if where else "")


expressions = st.sampled_from(READS + SIDE_EFFECTS)
selects = st.builds(_select, st.lists(expressions, min_size=1, max_size=3), st.sampled_from(TABLES),
                    st.none() | st.sampled_from(("1 = 1", "customer_id > 3", "pg_advisory_lock(1) IS NULL")))


def _nest(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda q: f"SELECT * FROM ({q}) AS sub", inner),
        st.builds(lambda q: f"WITH c AS ({q}) SELECT * FROM c", inner),
        st.builds(lambda q, w: f"WITH w AS ({w}) SELECT * FROM ({q}) AS sub", inner, st.sampled_from(RETURNING)),
        st.builds(lambda a, b: f"SELECT 1 FROM ({a}) AS x UNION ALL SELECT 1 FROM ({b}) AS y", inner, inner),
        st.builds(lambda q: f"SELECT 1 WHERE EXISTS ({q})", inner),
        st.builds(lambda q, w: f"{q}; {w}", inner, st.sampled_from(WRITES)),
        st.builds(lambda q: f"/* read only */ {q} -- done", inner),
        st.builds(lambda q: q.swapcase(), inner),
    )


statements = st.recursive(selects | st.sampled_from(WRITES), _nest, max_leaves=4)

FINGERPRINT = """
SELECT md5(concat_ws('|',
  (SELECT string_agg(c::text, ',' ORDER BY customer_id) FROM customers c),
  (SELECT string_agg(o::text, ',' ORDER BY order_id) FROM orders o),
  (SELECT string_agg(i::text, ',' ORDER BY order_id, product_id) FROM order_items i),
  (SELECT string_agg(p::text, ',' ORDER BY product_id) FROM products p),
  (SELECT string_agg(concat_ws(':', relname, relkind, relnatts), ',' ORDER BY relname) FROM pg_class
     WHERE relnamespace = 'public'::regnamespace),
  (SELECT string_agg(obj_description(oid, 'pg_class'), ',') FROM pg_class WHERE relnamespace = 'public'::regnamespace),
  (SELECT last_value::text || is_called::text FROM s),
  (SELECT count(*)::text FROM pg_largeobject_metadata),
  (SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),
  current_setting('search_path'), current_setting('transaction_read_only')))
"""


@pytest.fixture(scope="module")
def property_db(make_postgres_database) -> str:
    shop = (POSTGRES_FIXTURES / "shop.sql").read_text(encoding="utf-8")
    return make_postgres_database(shop + "\nCREATE SEQUENCE s;\nSELECT nextval('s');\n")


@pytest.mark.postgres
def test_accepted_statements_leave_postgres_unchanged(property_db):
    import psycopg

    firewall = Firewall("postgres", 50)
    seen = {"accepted": 0, "rejected": 0}
    with psycopg.connect(property_db, connect_timeout=5, autocommit=True) as conn:
        before = conn.execute(FINGERPRINT).fetchone()[0]

        @settings(max_examples=150, deadline=None, database=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
        @given(statements)
        def check(sql: str) -> None:
            verdict = firewall.check(sql)
            if not verdict.allowed:
                seen["rejected"] += 1
                return
            seen["accepted"] += 1
            inside = None
            try:
                with conn.transaction(force_rollback=True):
                    conn.execute("SET LOCAL statement_timeout = '2s'")
                    try:
                        with conn.transaction():  # a savepoint: a failing statement still lets us look
                            conn.execute(verdict.sql)
                    except psycopg.Error:
                        pass
                    inside = conn.execute(FINGERPRINT).fetchone()[0]
            finally:
                after = conn.execute(FINGERPRINT).fetchone()[0]
            assert (inside, after) == (before, before), f"{sql!r} ran as {verdict.sql!r} and changed the database"

        check()
    assert seen["accepted"] >= 10 and seen["rejected"] >= 10, seen
