"""The Arrow fast path for PostgreSQL: same frames as the plain path, same read-only and timeout guarantees."""

import pytest

from vanna_magic.core.data.database import Database
from vanna_magic.core.data.fastpath import ArrowReader
from vanna_magic.core.errors import ExecutionError, QueryTimeoutError

pytestmark = pytest.mark.postgres

MIXED = """SELECT g AS id, g::smallint AS small, g::real / 4 AS ratio, g::numeric / 3 AS third, 'item ' || g AS name,
  CASE WHEN g % 2 = 0 THEN g END AS even, g > 2 AS big, DATE '2024-01-01' + g AS day,
  TIMESTAMP '2024-01-01 10:00' + g * INTERVAL '1 hour' AS at, NULLIF('x', 'x') AS nothing
FROM generate_series(1, 5) AS g ORDER BY g"""


@pytest.fixture(scope="module")
def dbs(postgres_shop):
    fast, plain = Database(postgres_shop), Database(postgres_shop, fast_path=False)
    yield fast, plain
    fast.close()
    plain.close()


def test_mixed_types_come_through_arrow_as_the_plain_path_gives_them(dbs):
    fast, plain = dbs
    arrow = fast.execute(MIXED).frame
    assert fast.last_path == "arrow"
    expected = plain.execute(MIXED).frame
    assert plain.last_path == "plain"
    assert arrow.drop(columns="nothing").equals(expected.drop(columns="nothing"))
    assert arrow.dtypes.drop("nothing").to_dict() == expected.dtypes.drop("nothing").to_dict()
    assert arrow["nothing"].isna().all() and expected["nothing"].isna().all()


def test_the_arrow_transaction_is_read_only_with_the_time_limit(dbs):
    fast, _ = dbs
    frame = fast.execute("SELECT current_setting('transaction_read_only') AS ro, "
                         "current_setting('statement_timeout') AS limit_", timeout=0.5).frame
    assert fast.last_path == "arrow" and frame.to_dict("records") == [{"ro": "on", "limit_": "500ms"}]


@pytest.mark.parametrize("sql", [
    "SELECT INTERVAL '1 day' AS i", "SELECT '{\"a\": 1}'::jsonb AS j", "SELECT ARRAY[1, 2] AS a",
    "SELECT 1 AS x, 2 AS x", "SHOW search_path",
])
def test_types_pandas_would_see_differently_take_the_plain_path(dbs, sql):
    fast, plain = dbs
    frame = fast.execute(sql).frame
    assert fast.last_path == "plain"
    assert frame.astype(str).equals(plain.execute(sql).frame.astype(str))


@pytest.mark.parametrize("statement", [
    "INSERT INTO customers VALUES (999, 'Mallory', NULL, now())", "CREATE TABLE stolen (x int)",
    "COMMIT; DELETE FROM order_items", "WITH gone AS (DELETE FROM order_items RETURNING 1) SELECT COUNT(*) FROM gone",
])
def test_writes_fail_and_change_nothing(dbs, statement):
    fast, _ = dbs
    with pytest.raises(ExecutionError):
        fast.execute(statement)
    assert fast.execute("SELECT COUNT(*) AS n FROM order_items").frame["n"].item() == 600
    assert fast.last_path == "arrow"


def test_a_driver_that_commits_every_statement_never_gets_the_users_sql(postgres_shop):
    """Old ADBC releases ran each statement in its own transaction, so SET TRANSACTION READ ONLY did not
    cover the next one: the reader checks the transaction is read-only before it runs anything."""
    import adbc_driver_postgresql.dbapi as adbc
    from sqlalchemy.engine import make_url

    from vanna_magic.core.data.fastpath import libpq_uri

    reader = ArrowReader(libpq_uri(make_url(postgres_shop), 5), connect=lambda uri: adbc.connect(uri, autocommit=True))
    try:
        assert reader.fetch("DELETE FROM order_items", 5) is None  # not run here: the plain path takes it
        assert reader.fetch("SELECT 1 AS one", 5) is None
    finally:
        reader.close()
    plain = Database(postgres_shop, fast_path=False)
    try:
        assert plain.execute("SELECT COUNT(*) AS n FROM order_items").frame["n"].item() == 600
    finally:
        plain.close()


def test_errors_keep_the_database_message_and_position(dbs):
    fast, _ = dbs
    with pytest.raises(ExecutionError) as caught:
        fast.execute("SELECT nope FROM customers")
    error = caught.value  # the server's own message and where it points (the wording is the server's)
    assert "nope" in error.message and "SELECT nope FROM customers"[error.position - 1:].startswith("nope")


@pytest.mark.timeout(60)
def test_timeout_on_the_arrow_path_is_not_run_twice(dbs):
    fast, _ = dbs
    with pytest.raises(QueryTimeoutError) as caught:
        fast.execute("SELECT pg_sleep(5)::text AS slept", timeout=0.5)
    assert caught.value.seconds == 0.5
    assert fast.execute("SELECT 1 AS one").frame["one"].item() == 1 and fast.last_path == "arrow"


def test_a_killed_arrow_connection_is_opened_again(dbs, postgres_server):
    import psycopg

    from tests.conftest import _connect_kwargs

    fast, _ = dbs
    pid = fast.execute("SELECT pg_backend_pid() AS pid").frame["pid"].item()
    with psycopg.connect(**_connect_kwargs(postgres_server), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    again = fast.execute("SELECT pg_backend_pid() AS pid").frame["pid"].item()
    assert fast.last_path == "arrow" and again != pid


def test_a_driver_that_cannot_connect_leaves_the_plain_path(postgres_shop):
    def refuse(uri):
        raise RuntimeError("no ADBC here")

    db = Database(postgres_shop)
    db._arrow = ArrowReader("postgresql://unused", connect=refuse)
    try:
        assert db.execute("SELECT 2 AS two").frame["two"].item() == 2 and db.last_path == "plain"
    finally:
        db.close()
