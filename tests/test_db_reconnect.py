"""A dropped connection is re-established on the next query (PostgreSQL and MariaDB, real servers)."""

import pytest

from vanna_magic.core.data.database import Database

pytestmark = pytest.mark.postgres


@pytest.fixture
def shop(postgres_shop):
    db = Database(postgres_shop)
    yield db
    db.close()


def _kill_backend(postgres_server, pid):
    import psycopg

    from tests.conftest import _connect_kwargs

    with psycopg.connect(**_connect_kwargs(postgres_server), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True


def test_next_query_after_the_server_killed_our_backend(shop, postgres_server):
    first = shop.execute("SELECT pg_backend_pid() AS pid").frame["pid"].item()
    assert shop.execute("SELECT pg_backend_pid() AS pid").frame["pid"].item() == first, "the pool reuses it"
    _kill_backend(postgres_server, first)
    frame = shop.execute("SELECT pg_backend_pid() AS pid, COUNT(*) AS n FROM customers").frame
    assert frame["n"].item() == 50 and frame["pid"].item() != first
    assert shop.engine.pool.checkedout() == 0


def test_every_pooled_connection_dropped(shop, postgres_server):
    with shop.reading() as a, shop.reading() as b:
        pids = [conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() for conn in (a, b)]
    for pid in pids:
        _kill_backend(postgres_server, pid)
    for _ in range(3):
        assert shop.execute("SELECT COUNT(*) AS n FROM orders").frame["n"].item() == 300
