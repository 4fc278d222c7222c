"""DuckDB in-process: a database file (read-only), an in-memory database, DataFrames and files, queried through
DuckDB's own Python API with the guarantees of :class:`~vanna_magic.core.data.database.Database`.

- A database file is opened ``read_only``; an in-memory one cannot be, so every statement runs in a
  transaction that is rolled back.
- Below the firewall, DuckDB's own locks close everything but the sources named at connect time:
  ``enable_external_access = false`` (no file or network reader, no ``ATTACH``, ``COPY``, ``INSTALL``
  or ``LOAD``; the named files stay readable through ``allowed_paths``), ``python_enable_replacements
  = false`` (no Python variable is read by its name), then ``lock_configuration = true`` (no ``SET``
  can reopen them).
- DataFrames are registered as views without copying (``register``), read again from their source
  before every statement: a DataFrame changed or replaced between two questions is seen as it is now.
- A statement is stopped at its time limit, or on cancel, by ``interrupt()``; results come as Arrow.

>>> db = DuckDBDatabase(":memory:", url="duckdb:///:memory:")
>>> db.execute("SELECT 42 AS answer").frame["answer"].tolist()
[42]
"""

from __future__ import annotations

import importlib.util
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, TypeVar

from ..errors import ConfigurationError, DatabaseConnectionError, ExecutionError, QueryCancelledError, QueryTimeoutError
from ..extras import require
from .database import QueryResult
from .dialects.duckdb import CONNECT_HINT, DuckDB
from .dialects.sqlite import Interrupter
from .frames import frame_signature

if TYPE_CHECKING:
    import pandas

_TIMEOUT_HINT = "Make it cheaper (filter, aggregate, LIMIT) or raise query_timeout (VANNA_MAGIC_QUERY_TIMEOUT)."
_LOCKED_HINT = ("This connection reads only its own tables and the DataFrames and files named when connecting; "
                "files, the network and settings are closed to queries.")


T = TypeVar("T")


class DuckDBDatabase:
    """DuckDB through its Python API, read-only, with DataFrames and files registered as views.

    Args:
        path: a database file (opened read-only) or ``:memory:``.
        url: how the connection is shown (``duckdb:///sales.duckdb``, ``dataframes``, ``files:...``).
        query_timeout: seconds a statement may run before it is interrupted.
        files: view name -> CSV or Parquet file, readable by this connection and by nothing else.
        frames: returns the DataFrames to register (view name -> DataFrame), called before every statement.
        notes: view name -> (comment, row count) for the catalog, e.g. a file's path.
    """

    backend = "duckdb"
    fast_path = False

    def __init__(self, path: str = ":memory:", *, url: str | None = None, query_timeout: float = 30.0,
                 files: Mapping[str, Path] | None = None,
                 frames: "Callable[[], Mapping[str, pandas.DataFrame]] | None" = None,
                 notes: Mapping[str, tuple[str | None, int | None]] | None = None):
        self._duckdb = require("duckdb", setting="connection")
        self.url = url or f"duckdb:///{path}"
        self.kind = DuckDB()
        self.dialect = self.kind.name
        self.query_timeout = query_timeout
        self.read_only = True
        self.last_path: str | None = None
        self.in_memory = path == ":memory:"
        # Values of a database file may be cached between sessions; DataFrames and files change unannounced.
        self.values_cacheable = not self.in_memory
        self.notes: dict[str, tuple[str | None, int | None]] = dict(notes or {})
        self._frames = frames
        self._registered: dict[str, tuple] = {}  # view name -> the signature of the DataFrame behind it
        self._version = 0
        self._lock = threading.Lock()  # one statement at a time on the one connection
        self._running: Interrupter | None = None
        self._conn = self._open(path, files or {})

    def __repr__(self) -> str:
        return f"DuckDBDatabase({self.url!r})"

    def _open(self, path: str, files: Mapping[str, Path]) -> Any:
        duckdb = self._duckdb
        if not self.in_memory and not Path(path).expanduser().is_file():
            raise DatabaseConnectionError(f"cannot connect to {self.url}: there is no file at "
                                          f"{Path(path).expanduser().absolute()}",
                                          hint="Check the path; databases are never created.")
        try:
            conn = duckdb.connect(path if self.in_memory else str(Path(path).expanduser()),
                                  read_only=not self.in_memory)
        except duckdb.Error as exc:
            raise DatabaseConnectionError(f"cannot connect to {self.url}: {_first_line(exc)}",
                                          hint=CONNECT_HINT) from exc
        for name, file in files.items():
            try:  # the view is bound now: a file that cannot be read is found here, not at the first question
                conn.execute(f"CREATE TEMP VIEW {_ident(name)} AS SELECT * FROM {_reader(file)}({_literal(file)})")
            except duckdb.Error as exc:
                conn.close()
                raise ConfigurationError(f"cannot read {file}: {_first_line(exc)}", setting="connection",
                                         hint="Check that it is a CSV or Parquet file you may read.") from exc
        conn.execute("SET python_enable_replacements = false")
        if files:
            conn.execute("SET allowed_paths = ?", [[str(file) for file in files.values()]])
        conn.execute("SET enable_external_access = false")
        conn.execute("SET lock_configuration = true")
        return conn

    @property
    def version(self) -> int:
        """Changes whenever the registered DataFrames' names, columns or types change (the catalog reads it)."""
        with self._acquire(self.query_timeout):
            self._sync_frames()
        return self._version

    def execute(self, sql: str, *, timeout: float | None = None) -> QueryResult:
        """Run one statement read-only; its rows come through Arrow into a DataFrame.

        Raises:
            ExecutionError, QueryTimeoutError, QueryCancelledError.
        """
        start = time.perf_counter()
        with self.reading(timeout=timeout) as conn:
            table = conn.arrow(sql)
        self.last_path = "arrow"
        return QueryResult(frame=_to_frame(table), elapsed=time.perf_counter() - start)

    def plan(self, sql: str, *, timeout: float | None = None) -> bool:
        """Have DuckDB plan ``sql`` without running it; a missing table or column raises :class:`ExecutionError`."""
        with self.reading(timeout=timeout) as conn:
            conn.exec_driver_sql(self.kind.plan_prefix + sql).fetchall()
        return True

    def estimated_cost(self, sql: str, *, timeout: float | None = None) -> float | None:
        return None

    def bounded(self, work: "Callable[[], T]", *, timeout: float | None = None) -> "T":
        """``work()`` as it is: DuckDB runs in this process, and its own interrupt keeps the time limit."""
        return work()

    def ping(self) -> None:
        with self.reading() as conn:
            conn.exec_driver_sql("SELECT 1").fetchall()

    def close(self) -> None:
        with self._acquire(self.query_timeout):
            self._conn.close()

    def cancel(self) -> int:
        """Interrupt the statement in flight (from another thread); 1 when there was one, else 0."""
        if self._running is None:
            return 0
        self._conn.interrupt()
        return 1

    @contextmanager
    def reading(self, *, timeout: float | None = None) -> Iterator["Reading"]:
        """The connection for one statement: DataFrames registered afresh, a transaction rolled back at the end,
        an interrupt at the time limit, DuckDB's errors converted."""
        seconds = _seconds(self.query_timeout if timeout is None else timeout)
        duckdb = self._duckdb
        with self._acquire(seconds):
            self._sync_frames()
            self._conn.execute("BEGIN TRANSACTION")
            self._running = Interrupter(self._conn, seconds)
            reading = Reading(self._conn)
            try:
                yield reading
            except duckdb.Error as exc:
                raise self._error(exc, seconds, reading.sql) from exc
            finally:
                self._running.cancel()
                self._running = None
                try:
                    self._conn.execute("ROLLBACK")  # nothing is ever committed
                except duckdb.Error:
                    pass

    @contextmanager
    def _acquire(self, seconds: float) -> Iterator[None]:
        if not self._lock.acquire(timeout=seconds):
            raise QueryTimeoutError(f"another statement held the DuckDB connection for more than {seconds:g} s",
                                    seconds=seconds, hint=_TIMEOUT_HINT)
        try:
            yield
        finally:
            self._lock.release()

    def _sync_frames(self) -> None:
        """Register the frames source's DataFrames as they are now; drop the ones it no longer has."""
        if self._frames is None:
            return
        frames = self._frames()
        signatures = {name: frame_signature(frame) for name, frame in frames.items()}
        for name in set(self._registered) - set(frames):
            self._conn.unregister(name)
            self.notes.pop(name, None)
        for name, frame in frames.items():
            # Registering is cheap and never copies: done every time, so values changed in place are seen too.
            self._conn.register(name, frame)
            self.notes[name] = (f"pandas DataFrame {name}", len(frame))
        if signatures != self._registered:
            self._registered = signatures
            self._version += 1

    def _error(self, exc: Any, seconds: float, sql: str | None) -> Exception:
        duckdb = self._duckdb
        if isinstance(exc, duckdb.InterruptException):
            if self._running is not None and self._running.fired:
                return QueryTimeoutError(f"the query ran longer than {seconds:g} s and was cancelled",
                                         seconds=seconds, sql=sql, hint=_TIMEOUT_HINT)
            return QueryCancelledError("the query was cancelled", sql=sql)
        hint = _LOCKED_HINT if isinstance(exc, duckdb.PermissionException) else None
        return ExecutionError(_first_line(exc), sql=sql, code=self.kind.error_code(exc), hint=hint)


class Reading:
    """The few calls the catalog, the value index and export make on a connection, over DuckDB's."""

    def __init__(self, conn: Any):
        self._conn = conn
        self.sql: str | None = None

    def arrow(self, sql: str) -> Any:
        """The statement's rows as an Arrow table (a DataFrame without pyarrow; None for no rows)."""
        self.sql = sql
        relation = self._conn.sql(sql)
        if relation is None:
            return None
        if importlib.util.find_spec("pyarrow") is None:
            return relation.df()
        fetch = getattr(relation, "to_arrow_table", None) or relation.arrow  # DuckDB 2 / DuckDB 1
        return fetch()

    def exec_driver_sql(self, sql: str, params: Any = None, execution_options: Any = None) -> "Rows":
        self.sql = sql
        cursor = self._conn.execute(sql, params) if params else self._conn.execute(sql)
        return Rows(cursor)


class Rows:
    """A statement's rows as SQLAlchemy's result shows them to our readers (``keys``, ``fetchmany``...)."""

    def __init__(self, cursor: Any):
        self.cursor = cursor
        self.returns_rows = cursor.description is not None

    def keys(self) -> list[str]:
        return [column[0] for column in self.cursor.description or []]

    def fetchall(self) -> list[tuple]:
        return self.cursor.fetchall()

    def fetchmany(self, size: int) -> list[tuple]:
        return self.cursor.fetchmany(size)


def _to_frame(table: Any) -> "pandas.DataFrame":
    import pandas as pd

    if table is None:
        return pd.DataFrame()
    if isinstance(table, pd.DataFrame):
        return table
    table = _whole_numbers(table)
    # self_destruct frees each Arrow column as it is converted: the peak stays near the result's size.
    return table.to_pandas(self_destruct=True, split_blocks=True)


def _whole_numbers(table: Any) -> Any:
    """DuckDB's HUGEINT (what ``sum`` of integers gives) arrives as a 38-digit decimal: int64 when it fits,
    float64 otherwise, as pandas shows integers (a DECIMAL column of the database stays ``Decimal``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for index, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type) and field.type.scale == 0 and field.type.precision == 38:
            column = table.column(index)
            try:
                column = pc.cast(column, pa.int64())
            except pa.ArrowInvalid:
                column = pc.cast(column, pa.float64(), safe=False)
            table = table.set_column(index, field.name, column)
    return table


def _seconds(seconds: Any) -> float:
    if isinstance(seconds, bool) or not (isinstance(seconds, (int, float)) and seconds > 0):
        raise ConfigurationError(f"the query timeout must be a positive number of seconds, got {seconds!r}",
                                 setting="query_timeout", hint="Set query_timeout to e.g. 30.")
    return float(seconds)


def _reader(file: Path) -> str:
    return "read_parquet" if file.suffix.lower() in {".parquet", ".pq"} else "read_csv"


def _literal(file: Path) -> str:
    return "'" + str(file).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _first_line(exc: Any) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
