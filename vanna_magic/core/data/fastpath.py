"""The fast path from PostgreSQL to a DataFrame: ADBC's binary COPY into Arrow, then pandas.

:class:`ArrowReader` keeps one ADBC connection per :class:`~vanna_magic.core.data.database.Database` and
runs a statement with the same guarantees as the plain path: its own read-only transaction,
rolled back, with ``SET LOCAL statement_timeout``. It answers ``None`` whenever the plain path
should answer instead, so nothing is lost by trying:

- the driver is not installed, or the connection is busy in another thread;
- the result has a column type whose pandas form would differ from the plain path's
  (intervals, uuids, json, arrays, bytes...): decided from the result's schema, before any row moves;
- the database refused the statement (the plain path then reports it with position and hint;
  a write fails there too, in its own read-only transaction).

A statement that ran past its time limit is not run again: that raises
:class:`~vanna_magic.core.errors.QueryTimeoutError` here. A dropped connection is opened again once.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import QueryCancelledError, QueryTimeoutError

if TYPE_CHECKING:
    import pandas
    from sqlalchemy.engine import URL

_QUERY_CANCELED = "57014"
_TIMEOUT_HINT = "Make it cheaper (filter, aggregate, LIMIT) or raise query_timeout (VANNA_MAGIC_QUERY_TIMEOUT)."


def available() -> bool:
    try:
        import adbc_driver_postgresql.dbapi  # noqa: F401
    except ImportError:
        return False
    return True


def libpq_uri(url: "URL", connect_timeout: float) -> str:
    """The SQLAlchemy URL as a libpq connection URI (what ADBC's PostgreSQL driver takes)."""
    from .dialects.postgres import connection_options

    query = {**{name: str(value) for name, value in connection_options(url, connect_timeout).items()}, **url.query}
    return url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)


class ArrowReader:
    """Runs read-only statements over one ADBC connection and returns DataFrames, or None (use the plain path)."""

    def __init__(self, uri: str, *, connect: Any = None):
        self._uri = uri
        self._connect = connect  # the seam: ``connect(uri) -> DB-API connection``; ADBC's by default
        self._conn: Any = None
        self._lock = threading.Lock()
        self._cursor: Any = None  # the cursor of the statement in flight, for cancel()
        self._cancelled = False
        self._cursor_lock = threading.Lock()

    def cancel(self) -> int:
        """Cancel the statement in flight (from another thread); 1 when there was one, else 0.

        Never blocks: the cancel goes from a thread of its own (ADBC's waits as long as a frozen server).
        """
        from .deadline import fire

        with self._cursor_lock:
            cursor = self._cursor
            if cursor is None:
                return 0
            self._cancelled = True
        fire(cursor.adbc_cancel)
        return 1

    def fetch(self, sql: str, seconds: float) -> "pandas.DataFrame | None":
        if not self._lock.acquire(blocking=False):
            return None
        try:
            for attempt in (1, 2):
                conn = self._connection()
                if conn is None:
                    return None
                try:
                    return self._fetch(conn, sql, seconds)
                except _Reconnect:
                    self._discard()
                    if attempt == 2:
                        return None
            return None
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            self._discard()

    def _connection(self) -> Any:
        if self._conn is None:
            try:
                connect = self._connect
                if connect is None:
                    import adbc_driver_postgresql.dbapi as adbc

                    connect = adbc.connect
                self._conn = connect(self._uri)
            except Exception:  # noqa: BLE001 - unreachable or misconfigured: the plain path says why, precisely
                return None
        return self._conn

    def _discard(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - a dead connection may fail to close; it is dropped either way
                pass

    def _fetch(self, conn: Any, sql: str, seconds: float) -> "pandas.DataFrame | None":
        import adbc_driver_manager as adbc

        cursor = conn.cursor()
        with self._cursor_lock:
            self._cursor, self._cancelled = cursor, False
        try:
            try:
                cursor.execute("SET TRANSACTION READ ONLY")
            except (adbc.OperationalError, adbc.InternalError) as exc:
                raise _Reconnect from exc  # the first statement: nothing of the user's has run yet
            cursor.execute(f"SET LOCAL statement_timeout = {max(1, round(seconds * 1000))}")
            if not _read_only(cursor):
                return None  # a driver that runs each statement in its own transaction: the plain path is sure
            if not _plain_compatible(cursor.adbc_execute_schema(sql)):
                return None
            cursor.execute(sql)
            table = cursor.fetch_arrow_table()
        except adbc.DatabaseError as exc:
            if self._cancelled:  # never fall back to the plain path: that would run the statement again
                raise QueryCancelledError("the query was cancelled on the server", sql=sql) from None
            if getattr(exc, "sqlstate", None) == _QUERY_CANCELED:
                raise QueryTimeoutError(f"the query ran longer than {seconds:g} s and was cancelled",
                                        seconds=seconds, sql=sql, hint=_TIMEOUT_HINT) from None
            return None
        finally:
            with self._cursor_lock:
                self._cursor = None
            try:
                cursor.close()
                conn.rollback()  # nothing is ever committed
            except Exception:  # noqa: BLE001 - a broken connection is opened again next time
                self._discard()
        return to_frame(table)


def _read_only(cursor: Any) -> bool:
    """Whether the transaction the next statement runs in is read-only: checked, not assumed, since ADBC
    releases before 1.x ran every statement in a transaction of its own (writes went through)."""
    cursor.execute("SELECT current_setting('transaction_read_only')")
    table = cursor.fetch_arrow_table()
    return table.num_rows == 1 and table.column(0)[0].as_py() == "on"


class _Reconnect(Exception):
    """The cached connection is dead; open a new one and try again."""


def _kind(arrow_type: Any) -> str | None:
    """How a result column reaches pandas: 'plain' as Arrow converts it, 'numeric' as Decimals, None: not here."""
    import pyarrow as pa

    t = pa.types
    if t.is_integer(arrow_type) or t.is_floating(arrow_type) or t.is_boolean(arrow_type) or t.is_null(arrow_type):
        return "plain"
    if t.is_string(arrow_type) or t.is_large_string(arrow_type) or t.is_date32(arrow_type):
        return "plain"
    if t.is_timestamp(arrow_type):
        return "plain"
    if isinstance(arrow_type, pa.OpaqueType) and arrow_type.type_name == "numeric":
        return "numeric"
    return None


def _plain_compatible(schema: Any) -> bool:
    names = list(schema.names)
    return len(set(names)) == len(names) and all(_kind(field.type) is not None for field in schema)


def to_frame(table: Any) -> "pandas.DataFrame":
    """A DataFrame with the dtypes the plain path gives: int64 (float64 with NULLs), strings,
    ``datetime.date`` objects, ``datetime64[us]`` timestamps, ``Decimal`` for numeric.

    One difference remains: ``timestamptz`` columns are in UTC here, in the session's time zone there.
    """
    import pyarrow as pa

    names = list(table.schema.names)
    numeric = [name for name, field in zip(names, table.schema) if _kind(field.type) == "numeric"]
    decimals = {name: [None if v is None else Decimal(v) for chunk in table.column(name).chunks
                       for v in chunk.storage.to_pylist()] for name in numeric}
    if numeric:
        table = table.drop_columns(numeric)
    # Python ints and floats become int64 and float64 on the plain path, whatever their width in the database.
    widen = pa.schema([pa.field(f.name, pa.int64()) if pa.types.is_integer(f.type) else
                       pa.field(f.name, pa.float64()) if pa.types.is_floating(f.type) else f for f in table.schema])
    if widen != table.schema:
        table = table.cast(widen)
    # self_destruct frees each Arrow column as it is converted: the peak stays near the DataFrame's size.
    timestamps = [f.name for f in table.schema if pa.types.is_timestamp(f.type) and f.type.tz is None]
    frame = table.to_pandas(self_destruct=True, split_blocks=True, date_as_object=True)
    del table
    unit = _datetime_dtype()
    for name in timestamps:  # the unit pandas gives datetime objects: ns before pandas 3, us since
        if frame[name].dtype != unit:
            frame[name] = frame[name].astype(unit)
    for name in numeric:  # back in their places, in ascending order so each position is right
        frame.insert(names.index(name), name, decimals.pop(name))
    return frame


def _datetime_dtype() -> Any:
    """The dtype pandas gives a column of ``datetime.datetime`` objects (what the plain path builds)."""
    import datetime

    import pandas as pd

    return pd.Series([datetime.datetime(2000, 1, 1)]).dtype
