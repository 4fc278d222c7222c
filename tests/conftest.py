"""Shared fixtures.

PostgreSQL fixtures talk to a real server (``VANNA_TEST_POSTGRES_URL``, default
``postgresql://postgres@127.0.0.1:5432/test``) and FAIL, never skip, when it is down.
Each test module gets fresh databases named ``vanna_test_<random>``, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Callable, Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell

POSTGRES_URL = os.environ.get("VANNA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
POSTGRES_FIXTURES = Path(__file__).parent / "fixtures" / "postgres"


@pytest.fixture(autouse=True)
def _litellm_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """litellm reads its model cost map from the package, never from the network."""
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def _connect_kwargs(url: str, database: str | None = None) -> dict:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    kwargs = {"host": parsed.host or "127.0.0.1", "port": parsed.port or 5432, "user": parsed.username,
              "password": parsed.password, "dbname": database or parsed.database, "connect_timeout": 5}
    return {key: value for key, value in kwargs.items() if value is not None}


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of the PostgreSQL test server; fails the test when the server does not answer."""
    import psycopg

    from vanna_magic.core.config import redact

    try:
        with psycopg.connect(**_connect_kwargs(POSTGRES_URL), autocommit=True) as conn:
            conn.execute("SELECT 1")
        return POSTGRES_URL
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0]
    pytest.fail(f"PostgreSQL is not reachable at {redact(POSTGRES_URL)} ({reason}). Start the server, or point "
                "VANNA_TEST_POSTGRES_URL at one: tests marked 'postgres' need it.", pytrace=False)


@pytest.fixture(scope="module")
def make_postgres_database(postgres_server: str) -> Iterator[Callable[..., str]]:
    """A factory: ``make(script=None)`` creates a fresh database, runs the SQL script in it, returns its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    created: list[str] = []

    def make(script: str | None = None) -> str:
        name = f"vanna_test_{secrets.token_hex(6)}"
        with psycopg.connect(**_connect_kwargs(postgres_server), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        if script:
            with psycopg.connect(**_connect_kwargs(postgres_server, name), autocommit=True) as conn:
                conn.execute(script)  # no parameters: psycopg sends the whole script at once
                conn.execute("ANALYZE")
        return make_url(postgres_server).set(database=name).render_as_string(hide_password=False)

    yield make
    with psycopg.connect(**_connect_kwargs(postgres_server), autocommit=True) as admin:
        for name in created:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def postgres_shop(make_postgres_database: Callable[..., str]) -> str:
    """URL of a fresh database holding the small shop of ``tests/fixtures/postgres/shop.sql``, analysed."""
    return make_postgres_database((POSTGRES_FIXTURES / "shop.sql").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    """One cache for the whole run: the demo database and the index are built once."""
    return tmp_path_factory.mktemp("vanna-cache")


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch, cache_dir):
    """No developer environment leaks into a test: only our cache folder is set."""
    before = {key for key in os.environ if key.startswith("VANNA_MAGIC_")}
    for key in before:
        monkeypatch.delenv(key)
    monkeypatch.setenv("VANNA_MAGIC_CACHE_DIR", str(cache_dir))
    yield
    # A test that loads a .env writes os.environ behind monkeypatch's back; the
    # notebooks, run later in fresh kernels, would inherit it.
    monkeypatch.undo()
    leaked = [key for key in os.environ if key.startswith("VANNA_MAGIC_") and key not in before]
    for key in leaked:
        del os.environ[key]
    assert not leaked, f"test leaked environment variables {leaked}"


@pytest.fixture
def session_factory(cache_dir):
    """Build Sessions on the demo database with isolated settings; closed after the test."""
    from vanna_magic import Session
    from vanna_magic.core.config import load_settings

    sessions = []

    def make(model=None, **overrides):
        settings = load_settings(environ={}, start=None).replace(cache_dir=str(cache_dir))
        session = Session(settings=settings, model=model, **overrides)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


class TestingShell(InteractiveShell):
    """An IPython shell whose ``run_cell`` raises the cell's error, as jupysql's does."""

    def run_cell(self, raw_cell, *args, **kwargs):
        result = super().run_cell(raw_cell, *args, **kwargs)
        result.raise_error()
        return result


@pytest.fixture(scope="session")
def _ipython():
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    return TestingShell(config=config)


@pytest.fixture
def shell(_ipython, tmp_path, monkeypatch):
    """A shell with the extension freshly loaded and no leftover ``%config`` from other tests."""
    from vanna_magic.jupyter import load_ipython_extension, unload_ipython_extension

    monkeypatch.chdir(tmp_path)
    _ipython.config.pop("VannaMagic", None)
    load_ipython_extension(_ipython)
    yield _ipython
    unload_ipython_extension(_ipython)
    _ipython.configurables[:] = [c for c in _ipython.configurables if type(c).__name__ != "VannaMagic"]
    _ipython.config.pop("VannaMagic", None)


@pytest.fixture
def panel_with_frame(session_factory):
    """A panel showing a result with a money column (52071.4695) and a fraction column."""
    from vanna_magic.jupyter.panel import Panel

    session = session_factory()
    panel = Panel(lambda: session)
    panel.sql.value = "SELECT 'North' AS region, 52071.4695 AS revenue, 0.0001234567 AS share"
    panel.run_button.click()
    return panel


@pytest.fixture(autouse=True)
def python_handles_interrupts():
    """Every test starts with Python's own SIGINT handler (the kernel's), whatever an earlier test in this
    process left installed: under SIG_IGN or SIG_DFL ``_thread.interrupt_main`` does nothing, and the
    interrupt tests (test_cancel, test_frozen_database) would wait for their statement's timeout."""
    import signal

    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before if before is not None else signal.default_int_handler)
