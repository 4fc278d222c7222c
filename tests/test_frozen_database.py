"""A database server that stops answering (SIGSTOP: what a partition or a hung server looks like to the
client) never hangs the kernel: the query returns within query_timeout + 2 s with one sentence, an
interrupt returns within 1 s, and the next query after the server resumes works. Both result paths
(Arrow through ADBC, plain psycopg) are tried on a throwaway cluster of the test's own."""

from __future__ import annotations

import _thread
import threading
import time

import pytest

from tests.frozen_server import FrozenServer
from vanna_magic import Session
from vanna_magic.core.config import load_settings
from vanna_magic.core.data.database import Database
from vanna_magic.core.errors import VannaError

pytestmark = pytest.mark.postgres

QUERY_TIMEOUT = 2
# An interval column keeps a result off the Arrow path: the plain psycopg path runs it.
PATHS = {"arrow": "SELECT 2 AS x", "plain": "SELECT 2 AS x, interval '1 day' AS d"}


@pytest.fixture(scope="module")
def server():
    frozen = FrozenServer().start()
    yield frozen
    frozen.stop()


@pytest.fixture
def frozen(server):
    """Freeze the server for the test's body; it is resumed whatever happens."""
    rescue = threading.Timer(60, server.thaw)  # never leave it stopped, even if the test hangs
    rescue.daemon = True
    yield server
    rescue.cancel()
    server.thaw()


def _session(server, tmp_path, cache_dir):
    settings = load_settings(environ={}, start=None).replace(
        cache_dir=str(cache_dir), store_path=str(tmp_path / "store.sqlite3"), query_timeout=QUERY_TIMEOUT)
    return Session(server.url, settings=settings)


@pytest.mark.parametrize("path", PATHS)
def test_a_frozen_server_costs_the_query_timeout_and_one_sentence(frozen, tmp_path, cache_dir, path):
    session = _session(frozen, tmp_path, cache_dir)
    session.run_sql(PATHS[path])  # warm: the connection and its path exist before the server stops
    frozen.freeze()
    start = time.perf_counter()
    with pytest.raises(VannaError) as info:
        session.run_sql(PATHS[path])
    elapsed = time.perf_counter() - start
    frozen.thaw()
    assert elapsed < QUERY_TIMEOUT + 2
    assert "\n" not in info.value.message and info.value.hint
    assert session.run_sql(PATHS[path]).frame["x"].tolist() == [2]  # the next query after it resumes
    session.close()


@pytest.mark.parametrize("path", PATHS)
def test_an_interrupt_returns_within_a_second_from_a_frozen_server(frozen, tmp_path, cache_dir, path):
    session = _session(frozen, tmp_path, cache_dir)
    session.run_sql(PATHS[path])
    frozen.freeze()
    fired: list[float] = []

    def interrupt():
        fired.append(time.perf_counter())
        _thread.interrupt_main()

    timer = threading.Timer(0.5, interrupt)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            session.run_sql(PATHS[path])
        returned = time.perf_counter()
    finally:
        timer.join()
    frozen.thaw()
    assert fired and returned - fired[0] < 1
    assert session.run_sql(PATHS[path]).frame["x"].tolist() == [2]
    session.close()


def test_cancel_never_blocks_on_a_frozen_server(frozen):
    db = Database(frozen.url, query_timeout=QUERY_TIMEOUT)
    assert db.execute("SELECT 1 AS x", timeout=30).frame["x"].tolist() == [1]
    frozen.freeze()
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(_attempt(db)), daemon=True)
    worker.start()
    time.sleep(0.5)  # the statement is in flight, waiting on the stopped server
    start = time.perf_counter()
    cancelled = db.cancel()
    assert time.perf_counter() - start < 0.2 and cancelled >= 1
    worker.join(QUERY_TIMEOUT + 2)
    assert outcome and isinstance(outcome[0], VannaError)
    frozen.thaw()
    assert db.execute("SELECT 3 AS x").frame["x"].tolist() == [3]
    db.close()


def _attempt(db):
    try:
        return db.execute("SELECT 2 AS x")
    except VannaError as exc:
        return exc
