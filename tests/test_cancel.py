"""Interrupting the kernel cancels the running statement on the server and abandons the model call.

The interrupt is the real one (``_thread.interrupt_main``, what Jupyter's interrupt button
amounts to in the kernel), fired from a timer thread once the stage under test has started.
"""

from __future__ import annotations

import _thread
import threading

import pytest

from tests.fakes import FakeModel
from vanna_magic import Session
from vanna_magic.core.config import load_settings
from vanna_magic.core.ops import run
from vanna_magic.core.ops.run import START

# Minutes of work on any machine; the firewall accepts it (generate_series has no side effects).
PG_ARROW = "SELECT count(*) AS n FROM generate_series(1, 100000000) AS a, generate_series(1, 100000000) AS b"
# An interval column keeps the result off the Arrow fast path: the plain psycopg path is cancelled instead.
PG_PLAIN = ("SELECT count(*) AS n, max(interval '1 day') AS d "
            "FROM generate_series(1, 100000000) AS a, generate_series(1, 100000000) AS b")
SQLITE_SLOW = "SELECT count(*) AS n FROM order_items AS a, order_items AS b, order_items AS c"


class InterruptAt:
    """A progress callback that interrupts the main thread once ``stage`` has started.

    With ``ready``, the interrupt waits until ``ready()`` holds (e.g. the statement shows as active
    on the server); otherwise it comes ``delay`` seconds after the stage started.
    """

    def __init__(self, stage: str, delay: float = 0.5, ready=None):
        self.stage = stage
        self.delay = delay
        self.ready = ready
        self.seen_ready = False
        self.thread: threading.Thread | None = None
        self.stopped = threading.Event()
        self.fired = False
        self.events: list[tuple[str, str]] = []

    def __call__(self, event) -> None:
        self.events.append((event.stage, event.status))
        if event.stage == self.stage and event.status == START and self.thread is None:
            self.thread = threading.Thread(target=self._fire, daemon=True)
            self.thread.start()

    def _fire(self) -> None:
        if self.ready is None:
            self.stopped.wait(self.delay)
        else:
            for _ in range(600):
                if self.stopped.is_set() or self._is_ready():
                    break
                self.stopped.wait(0.1)
            self.seen_ready = not self.stopped.is_set()
        if not self.stopped.is_set():
            self.fired = True
            _thread.interrupt_main()

    def _is_ready(self) -> bool:
        # A probe that fails (a connection refused on a loaded machine) is "not yet": an exception here
        # would end this thread without interrupting, and the statement would run to its timeout.
        try:
            return bool(self.ready())
        except Exception:  # noqa: BLE001
            return False

    def stop(self) -> None:
        """Never let a late interrupt escape the test."""
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()


def _session(connection: str | None, cache_dir, **overrides) -> Session:
    settings = load_settings(environ={}, start=None).replace(cache_dir=str(cache_dir), query_timeout=600,
                                                             **overrides)
    return Session(connection, settings=settings)


def _active(postgres_url: str, needle: str) -> int:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, dbname=url.database,
                         autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND state = 'active' AND query ILIKE %s AND pid <> pg_backend_pid()",
                            (f"%{needle}%",)).fetchone()[0]


@pytest.mark.parametrize("sql", [PG_ARROW, PG_PLAIN], ids=["arrow-path", "plain-path"])
def test_interrupt_cancels_the_postgres_query_on_the_server(postgres_shop, cache_dir, tmp_path, sql):
    session = _session(postgres_shop, cache_dir, store_path=str(tmp_path / "store.sqlite3"))
    needle = "generate_series(1, 100000000)"
    interrupt = InterruptAt("execute", ready=lambda: _active(postgres_shop, needle) == 1)
    try:
        with pytest.raises(KeyboardInterrupt):
            session.run_sql(sql, progress=interrupt)
    finally:
        interrupt.stop()
    assert interrupt.fired and interrupt.seen_ready  # it was running on the server when interrupted
    assert _active(postgres_shop, needle) == 0
    rows, _ = session.store.history()
    assert rows[0]["status"] == "error" and "cancelled" in rows[0]["error"]
    # The pool's connection is usable, the breaker did not count a failure, and the next cell works.
    assert session.health.breakers["database"].consecutive_failures == 0
    assert session.run_sql("SELECT count(*) AS n FROM customers").frame["n"].iloc[0] > 0
    session.close()


def test_interrupt_cancels_the_sqlite_query(cache_dir, tmp_path):
    session = _session(None, cache_dir, store_path=str(tmp_path / "store.sqlite3"))
    interrupt = InterruptAt("execute")
    try:
        with pytest.raises(KeyboardInterrupt):
            session.run_sql(SQLITE_SLOW, progress=interrupt)
    finally:
        interrupt.stop()
    assert interrupt.fired
    rows, _ = session.store.history()
    assert rows[0]["status"] == "error" and rows[0]["error"] == "the query was cancelled on the server"
    assert session.run_sql("SELECT count(*) AS n FROM orders").frame["n"].iloc[0] > 0
    session.close()


def test_interrupt_abandons_the_model_call_and_runs_nothing(cache_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(run, "CANCEL_GRACE", 0.1)
    release = threading.Event()

    def slow_model(messages):
        release.wait(60)
        return "```sql\nSELECT count(*) AS n FROM orders\n```"

    settings = load_settings(environ={}, start=None).replace(cache_dir=str(cache_dir),
                                                             store_path=str(tmp_path / "store.sqlite3"))
    session = Session(settings=settings, model=FakeModel(slow_model))
    interrupt = InterruptAt("generate", delay=0.2)
    try:
        with pytest.raises(KeyboardInterrupt):
            session.ask("How many orders are there?", progress=interrupt)
    finally:
        interrupt.stop()
    release.set()  # the model answers after all; the abandoned run must not go on to the database
    for thread in threading.enumerate():
        if thread.name == "vanna-magic-run":
            thread.join(30)
    assert ("execute", START) not in interrupt.events and ("firewall", START) not in interrupt.events
    rows, _ = session.store.history()
    assert rows[0]["status"] == "error" and rows[0]["error"] == "cancelled before the firewall stage"
    assert session.model.calls and len(session.conversation) == 0
    session.close()


def test_a_run_off_the_main_thread_runs_inline():
    flight = run.Run()
    seen = []

    def work():
        seen.append(threading.current_thread().name)
        return 42

    thread = threading.Thread(target=lambda: seen.append(run.interruptible(flight, work, lambda: None)),
                              name="panel-worker")
    thread.start()
    thread.join()
    assert seen == ["panel-worker", 42]
