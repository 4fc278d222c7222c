"""Connections and read-only execution over SQLAlchemy 2.

Every statement runs in its own read-only transaction that is rolled back, never
committed; what that takes on each engine (a read-only file, ``SET TRANSACTION READ ONLY``
with a time limit, an interrupt) is its dialect's (:mod:`vanna_magic.core.data.dialects`).
Driver errors become :mod:`vanna_magic.core.errors` by type, by where they happened
(connecting or executing) and by their codes, never by the text of their messages.

>>> db = Database("sqlite://")
>>> db.execute("SELECT 1 AS one").frame["one"].tolist()
[1]
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar

from ..config import redact
from ..errors import (
    ConfigurationError,
    DatabaseConnectionError,
    ExecutionError,
    QueryCancelledError,
    QueryTimeoutError,
)
from ..extras import EXTRAS
from ..extras import missing as extras_missing
from . import deadline
from .dialects import DEFAULT_DRIVERS, Dialect, for_backend

if TYPE_CHECKING:
    import pandas
    from sqlalchemy.engine import URL, Connection, Engine

# Python module or SQLAlchemy plugin -> the pip package that provides it.
_PIP_PACKAGES = {
    "psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary", "oracledb": "oracledb", "cx_Oracle": "cx_Oracle",
    "pymysql": "pymysql", "MySQLdb": "mysqlclient", "pyodbc": "pyodbc", "pymssql": "pymssql",
    "duckdb": "duckdb-engine", "snowflake": "snowflake-sqlalchemy", "bigquery": "sqlalchemy-bigquery",
    "redshift": "sqlalchemy-redshift", "trino": "trino", "clickhouse": "clickhouse-sqlalchemy",
    "databricks": "databricks-sqlalchemy",
}
T = TypeVar("T")
_URL_EXAMPLES = "e.g. sqlite:///path/to/file.db or postgresql://user@host:5432/dbname"


@dataclass
class QueryResult:
    """The rows of one statement and how long it took (seconds, fetching included)."""

    frame: "pandas.DataFrame"
    elapsed: float


class _Running:
    """A statement in flight, the driver's way to stop it (None where the driver has none) and its socket."""

    def __init__(self, hook: Any, dbapi_connection: Any):
        self.hook = hook
        self.cancelled = False
        self.severer = deadline.Severer(dbapi_connection)

    def cancel(self) -> None:
        """Ask the server to stop the statement, in a thread of its own: never blocks (a frozen server would)."""
        if self.hook is None:
            return
        self.cancelled = True
        deadline.fire(self.hook)


class Database:
    """A database reached through a SQLAlchemy URL, queried read-only.

    In-memory SQLite (``sqlite://``) is the one exception to read-only: a read-only
    in-memory database would always be empty, so it is opened writable (each
    statement's transaction is still rolled back).

    Args:
        url: SQLAlchemy URL; ``postgresql://`` uses psycopg 3, ``oracle://`` python-oracledb.
        query_timeout: seconds a statement may run: enforced by the server where it can, and on the
            client for every network database (:mod:`~vanna_magic.core.data.deadline`).
        connect_timeout: seconds to wait for a network server to answer.
    """

    def __init__(self, url: str, *, query_timeout: float = 30.0, connect_timeout: float = 10.0,
                 fast_path: bool = True):
        self._url = _parse_url(url)
        self.url: str = self._url.render_as_string(hide_password=True)
        self.backend: str = self._url.get_backend_name()
        self.kind: Dialect = for_backend(self.backend)  # what differs on this engine
        self.dialect: str = self.kind.name  # sqlglot's name, what the firewall and the prompt speak
        self.query_timeout = query_timeout
        self.read_only = True
        self.local = not self._url.host  # SQLite, DuckDB: in this process, nothing to wait for on a network
        self._engine = self._create_engine(connect_timeout)
        # PostgreSQL results can come through Arrow (core/fastpath.py); "arrow" or "plain" after each execute.
        self.fast_path = fast_path and self._url.get_driver_name() == "psycopg"
        self.last_path: str | None = None
        self._connect_timeout = connect_timeout
        self._arrow: Any = None
        self._running: set[_Running] = set()  # statements in flight, for cancel()
        self._running_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Database({self.url!r})"

    @property
    def engine(self) -> "Engine":
        """The SQLAlchemy engine (for events and tests; run statements through :meth:`execute`)."""
        return self._engine

    def _create_engine(self, connect_timeout: float) -> "Engine":
        import sqlalchemy
        from sqlalchemy import exc as sa_exc

        options, self.read_only = self.kind.engine_options(self._url, connect_timeout)
        kwargs: dict[str, Any] = {"pool_pre_ping": True, **options}
        try:
            engine = sqlalchemy.create_engine(self._url, **kwargs)
        except sa_exc.NoSuchModuleError as exc:
            package = _PIP_PACKAGES.get(self.backend, f"the SQLAlchemy dialect for {self.backend!r}")
            raise ConfigurationError(
                f"no SQLAlchemy dialect for {self.url}", hint=f"Install it: pip install {package}",
                setting="connection") from exc
        except ModuleNotFoundError as exc:
            module = (exc.name or "").split(".")[0]
            if module in EXTRAS:
                raise extras_missing(module, setting="connection") from exc
            package = _PIP_PACKAGES.get(module, module or "the database driver")
            raise ConfigurationError(
                f"the driver for {self.url} is not installed (module {module!r})",
                hint=f"Install it: pip install {package}", setting="connection") from exc
        except (sa_exc.ArgumentError, TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"invalid database URL {self.url}: {self._clean(exc)}", hint=f"Use a SQLAlchemy URL, {_URL_EXAMPLES}.",
                setting="connection") from exc
        self.kind.prepare_engine(engine)
        return engine

    def execute(self, sql: str, *, timeout: float | None = None) -> QueryResult:
        """Run one statement read-only and return its rows as a DataFrame.

        Raises:
            DatabaseConnectionError, ExecutionError, QueryTimeoutError.
        """
        import pandas  # noqa: F401 - imported here, before the deadline starts: the first import takes seconds

        start = time.perf_counter()
        reader = self._arrow_reader()
        return self.bounded(lambda: self._execute(sql, reader, start, timeout), timeout=timeout)

    def _execute(self, sql: str, reader: Any, start: float, timeout: float | None) -> QueryResult:
        if reader is not None:
            frame = reader.fetch(sql, self._seconds(timeout))
            if frame is not None:
                self.last_path = "arrow"
                return QueryResult(frame=frame, elapsed=time.perf_counter() - start)
        self.last_path = "plain"
        with self.reading(timeout=timeout) as conn:
            result = conn.exec_driver_sql(sql, execution_options={"no_parameters": True})
            if result.returns_rows:
                columns = list(result.keys())
                # The driver's own rows: SQLAlchemy adds nothing to raw SQL's values but the cost of Row objects.
                rows = result.cursor.fetchall()
            else:
                columns, rows = [], []
        frame = _frame(columns, rows)
        return QueryResult(frame=frame, elapsed=time.perf_counter() - start)

    def plan(self, sql: str, *, timeout: float | None = None) -> bool:
        """Have the database plan ``sql`` without running it (``EXPLAIN``); False where that is not offered.

        A statement naming a missing table or column, or with a type error the planner sees,
        raises :class:`ExecutionError` here exactly as it would when run.
        """
        prefix = self.kind.plan_prefix
        if prefix is None:
            return False

        def plan() -> bool:
            with self.reading(timeout=timeout) as conn:
                conn.exec_driver_sql(prefix + sql, execution_options={"no_parameters": True}).fetchall()
            return True

        return self.bounded(plan, timeout=timeout)

    def estimated_cost(self, sql: str, *, timeout: float | None = None) -> float | None:
        """The planner's total cost estimate of ``sql`` (PostgreSQL ``EXPLAIN``); None where there is none."""
        if type(self.kind).estimated_cost is Dialect.estimated_cost:
            return None

        def cost() -> float | None:
            with self.reading(timeout=timeout) as conn:
                return self.kind.estimated_cost(conn, sql)

        return self.bounded(cost, timeout=timeout)

    def ping(self) -> None:
        """Check that the database answers; raises :class:`DatabaseConnectionError` if not."""
        self.bounded(lambda: self._connect().close(), timeout=self._connect_timeout)

    def bounded(self, work: "Callable[[], T]", *, timeout: float | None = None) -> "T":
        """``work()`` (statements through :meth:`reading`) within ``timeout`` (default ``query_timeout``)
        on the client: a server that stops answering costs at most about 1.5 s more, then the
        statement is cancelled, its connection severed and the work abandoned
        (:mod:`~vanna_magic.core.data.deadline`). In-process databases run it as it is.

        Raises:
            QueryTimeoutError: the deadline passed and the cancel stopped the statement.
            DatabaseConnectionError: the server did not answer even the cancel.
        """
        seconds = self._seconds(timeout)
        if self.local:
            return work()
        try:
            return deadline.bounded(seconds, work, cancel=self.cancel, sever=self._sever)
        except deadline.Late as late:
            if not late.severed:
                raise QueryTimeoutError(
                    f"the query ran longer than {seconds:g} s and was cancelled", seconds=seconds,
                    hint="Make it cheaper (filter, aggregate, LIMIT) or raise query_timeout "
                         "(VANNA_MAGIC_QUERY_TIMEOUT).") from None
            self._arrow = None  # its connection may be held by the abandoned work: the next query opens another
            raise DatabaseConnectionError(
                f"the database at {self.url} stopped answering: no reply within {seconds:g} s, "
                "nor to a cancel, so the connection was given up",
                hint="Check that the server is up and reachable; the next query opens a new connection.") from None

    def _sever(self) -> None:
        """Shut down the socket of every statement in flight (what a cancel could not stop)."""
        with self._running_lock:
            running = list(self._running)
        for each in running:
            each.severer.sever()

    def close(self) -> None:
        """Close every pooled connection."""
        if self._arrow is not None:
            self._arrow.close()
        self._engine.dispose()

    def _arrow_reader(self) -> Any:
        if self.fast_path and self._arrow is None:
            from . import fastpath

            if not fastpath.available():
                self.fast_path = False
                return None
            self._arrow = fastpath.ArrowReader(fastpath.libpq_uri(self._url, self._connect_timeout))
        return self._arrow

    def _seconds(self, timeout: float | None) -> float:
        seconds = self.query_timeout if timeout is None else timeout
        if not (isinstance(seconds, (int, float)) and seconds > 0):
            raise ConfigurationError(f"the query timeout must be a positive number of seconds, got {seconds!r}",
                                     setting="query_timeout", hint="Set query_timeout to e.g. 30.")
        return seconds

    @contextmanager
    def reading(self, *, timeout: float | None = None) -> Iterator["Connection"]:
        """A connection in a read-only transaction, rolled back at the end; errors converted.

        For the catalog's own reads: statements run through the yielded connection get
        the same read-only session, time limit and error conversion as :meth:`execute`.
        """
        from sqlalchemy import exc as sa_exc

        seconds = self._seconds(timeout)
        conn = self._connect()
        handle: Any = None
        running = self._track(conn)
        try:
            conn.begin()
            handle = self.kind.begin_read_only(conn, seconds)
            yield conn
        except sa_exc.DBAPIError as exc:
            if running.cancelled:
                raise QueryCancelledError("the query was cancelled on the server", sql=exc.statement) from exc
            raise self._execution_error(exc, seconds, handle) from exc
        except sa_exc.StatementError as exc:
            raise ExecutionError(self._clean(exc.orig or exc), sql=exc.statement) from exc
        finally:
            with self._running_lock:
                self._running.discard(running)
            running.severer.close()
            if handle is not None:
                self.kind.end_reading(handle)
            _close_quietly(conn)

    def _track(self, conn: "Connection") -> "_Running":
        """Remember how to cancel the statement about to run on ``conn`` (see :meth:`cancel`)."""
        dbapi_connection = conn.connection.dbapi_connection
        running = _Running(self.kind.cancel_hook(dbapi_connection), dbapi_connection)
        with self._running_lock:
            self._running.add(running)
        return running

    def cancel(self) -> int:
        """Cancel every statement of this database in flight, from another thread; how many there were.

        PostgreSQL gets a cancel request (the server stops the statement, the connection stays
        usable), SQLite an interrupt; the statement then raises :class:`QueryCancelledError`.
        Never blocks: each cancel is sent from a thread of its own.
        """
        with self._running_lock:
            running = list(self._running)
        for each in running:
            each.cancel()
        arrow = self._arrow.cancel() if self._arrow is not None else 0
        return len(running) + arrow

    def _connect(self) -> "Connection":
        from sqlalchemy import exc as sa_exc

        try:
            return self._engine.connect()
        except sa_exc.SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None)
            reason = self._clean(orig or exc)
            hint = (orig is not None and self.kind.error_hint(orig)) or self.kind.connect_hint(self._url)
            raise DatabaseConnectionError(f"cannot connect to {self.url}: {reason}", hint=hint) from exc

    def _execution_error(self, exc: Any, seconds: float, handle: Any) -> Exception:
        orig = exc.orig
        sql = exc.statement
        if self.kind.timed_out(orig, handle):
            return QueryTimeoutError(
                f"the query ran longer than {seconds:g} s and was cancelled", seconds=seconds, sql=sql,
                hint="Make it cheaper (filter, aggregate, LIMIT) or raise query_timeout "
                     "(VANNA_MAGIC_QUERY_TIMEOUT).")
        if exc.connection_invalidated:
            return DatabaseConnectionError(
                f"the connection to {self.url} was lost: {self._clean(orig)}",
                hint="Check that the database server is up, then run the query again.")
        diag = getattr(orig, "diag", None)
        position = getattr(diag, "statement_position", None)
        return ExecutionError(self.kind.error_message(orig, self._clean), sql=sql, code=self.kind.error_code(orig),
                              position=int(position) if position else None,
                              hint=self.kind.error_hint(orig) or getattr(diag, "message_hint", None))

    def _clean(self, error: Any) -> str:
        """The first line of an error's text, without any password."""
        lines = str(error).strip().splitlines()
        text = redact(lines[0] if lines else type(error).__name__)
        password = self._url.password
        return text.replace(str(password), "***") if password else text


def _parse_url(url: str) -> "URL":
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.engine import make_url

    if not isinstance(url, str) or not url.strip():
        raise ConfigurationError("the database URL is empty", hint=f"Give a SQLAlchemy URL, {_URL_EXAMPLES}.",
                                 setting="connection")
    try:
        parsed = make_url(url.strip())
    except (sa_exc.ArgumentError, ValueError) as exc:
        # Text that is not URL-shaped may hold a password redact() cannot see: do not echo it.
        shown = f"{redact(url)!r}" if "://" in url else "the database URL"
        raise ConfigurationError(f"{shown} is not a SQLAlchemy URL", setting="connection",
                                 hint=f"Use a SQLAlchemy URL, {_URL_EXAMPLES}.") from exc
    driver = DEFAULT_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


def _frame(columns: list[str], rows: list[tuple]) -> "pandas.DataFrame":
    import pandas as pd

    # from_records keeps duplicate column names, as the cursor reported them.
    return pd.DataFrame.from_records(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def _close_quietly(conn: "Connection") -> None:
    from sqlalchemy import exc as sa_exc

    try:
        conn.close()  # rolls the transaction back; nothing is ever committed
    except sa_exc.SQLAlchemyError:
        # A connection that died mid-query cannot roll back; the pool discards it.
        conn.invalidate()
