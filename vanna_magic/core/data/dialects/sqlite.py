"""SQLite: files opened read-only (``mode=ro``), statements stopped at their time limit by an interrupt,
the catalog from ``sqlite_master`` and its pragmas in two queries.

An in-memory database (``sqlite://``) is the one exception to read-only: a read-only in-memory
database would always be empty, so it is opened writable (each statement's transaction is still
rolled back).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ...errors import ExecutionError
from ..schema import ForeignKey, TableDraft, fetch_rows
from .base import Dialect

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection

    from ..schema import Table


class SQLite(Dialect):
    name, title, plan_prefix = "sqlite", "SQLite", "EXPLAIN QUERY PLAN "

    def engine_options(self, url: "URL", connect_timeout: float) -> tuple[dict[str, Any], bool]:
        uri = read_only_uri(url)
        if uri is None:
            return {}, False
        import sqlite3

        return {"creator": lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)}, True

    def begin_read_only(self, conn: "Connection", seconds: float) -> "Interrupter":
        return Interrupter(conn.connection.dbapi_connection, seconds)

    def end_reading(self, handle: "Interrupter") -> None:
        handle.cancel()

    def timed_out(self, orig: Any, handle: Any) -> bool:
        return isinstance(handle, Interrupter) and handle.fired

    def cancel_hook(self, dbapi_connection: Any) -> Callable[[], Any] | None:
        return dbapi_connection.interrupt

    def read_tables(self, db: Any, problems: list[str]) -> "list[Table]":
        return read_tables(db, problems)

    def error_code(self, orig: Any) -> str | None:
        return getattr(orig, "sqlite_errorname", None)

    def connect_hint(self, url: "URL") -> str:
        database = url.database or ""
        if database and not database.startswith("file:") and not Path(database).expanduser().exists():
            return f"There is no file at {Path(database).absolute()}; check the path (databases are never created)."
        return "Check that the file is a SQLite database you may read."


class Interrupter:
    """Calls ``interrupt()`` on a sqlite3 connection after ``seconds``; ``fired`` says whether it did."""

    def __init__(self, dbapi_connection: Any, seconds: float):
        self.fired = False
        self._connection = dbapi_connection
        self._lock = threading.Lock()
        self._cancelled = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if not self._cancelled:
                self.fired = True
                self._connection.interrupt()

    def cancel(self) -> None:
        """Stop the timer; once this returns the connection is never interrupted (it may go back to the pool)."""
        with self._lock:
            self._cancelled = True
        self._timer.cancel()


def read_only_uri(url: "URL") -> str | None:
    """The ``file:`` URI that opens this SQLite database read-only; None for in-memory databases."""
    from urllib.parse import urlencode

    database = url.database or ""
    query = dict(url.query)
    if str(query.pop("uri", "")).lower() in {"true", "1"} and database.startswith("file:"):
        path, _, params = database.partition("?")
        options = dict(pair.partition("=")[::2] for pair in params.split("&") if pair)
        options.update(query)
        if options.get("mode") == "memory":
            return None
        options["mode"] = "ro"
        return f"{path}?{urlencode(options)}"
    if database in {"", ":memory:"}:
        return None
    return Path(database).expanduser().absolute().as_uri() + "?mode=ro"


_SQLITE_OBJECTS = r"m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'"
# sqlite_master rather than its newer alias sqlite_schema: the same table, readable by SQLite < 3.33.
_SQLITE_COLUMNS = ('SELECT m.name, m.type, p.name, p.type, p."notnull", p.pk '
                   "FROM sqlite_master AS m, pragma_table_info(m.name) AS p WHERE {where} ORDER BY m.name, p.cid")
_SQLITE_FOREIGN_KEYS = ('SELECT m.name, f.id, f."table", f."from", f."to" '
                        "FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f "
                        "WHERE m.type = 'table' ORDER BY m.name, f.id DESC, f.seq")  # SQLite numbers them last first
_SQLITE_HAS_STATS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
_SQLITE_STATS = "SELECT tbl, stat FROM sqlite_stat1"


def read_tables(db: Any, problems: list[str]) -> "list[Table]":
    """Every table and view of the file; a view over a dropped table is named in ``problems`` and skipped."""
    try:
        with db.reading() as conn:
            columns = fetch_rows(conn, _SQLITE_COLUMNS.format(where=_SQLITE_OBJECTS))
            foreign_keys, stats = _sqlite_keys_and_stats(conn)
    except ExecutionError:
        # One view over a dropped table fails the bulk query; then read object by object, skipping the broken.
        columns = []
        with db.reading() as conn:
            listing = f"SELECT m.name FROM sqlite_master AS m WHERE {_SQLITE_OBJECTS}"
            names = [row[0] for row in fetch_rows(conn, listing)]
            foreign_keys, stats = _sqlite_keys_and_stats(conn)
        for name in names:
            try:
                with db.reading() as conn:
                    columns += fetch_rows(conn, _SQLITE_COLUMNS.format(where="m.name = ?"), (name,))
            except ExecutionError as exc:
                problems.append(f"{name}: {exc.message}")
    return _assemble_sqlite(columns, foreign_keys, stats)


def _assemble_sqlite(columns: list[tuple], foreign_keys: list[tuple], stats: dict[str, int]) -> "list[Table]":
    drafts: dict[str, TableDraft] = {}
    pk_positions: dict[str, list[tuple[int, str]]] = {}
    for table, kind, column, type_, notnull, pk in columns:
        draft = drafts.setdefault(table, TableDraft(None, table, kind))
        draft.columns.append((column, type_ or "", not notnull, None))
        if pk:
            pk_positions.setdefault(table, []).append((pk, column))
    for table, positions in pk_positions.items():
        drafts[table].primary_key = tuple(column for _, column in sorted(positions))
    by_lower = {name.lower(): draft for name, draft in drafts.items()}
    grouped: dict[tuple[str, int], list[tuple]] = {}
    for table, fk_id, ref_table, column, ref_column in foreign_keys:
        grouped.setdefault((table, fk_id), []).append((ref_table, column, ref_column))
    for (table, _), parts in grouped.items():
        if table not in drafts:
            continue
        ref = by_lower.get(parts[0][0].lower())
        ref_name = ref.name if ref else parts[0][0]
        ref_columns = tuple(p[2] for p in parts)
        if any(c is None for c in ref_columns):  # REFERENCES t without columns: t's primary key
            ref_columns = ref.primary_key if ref else ()
        drafts[table].foreign_keys.append(ForeignKey(tuple(p[1] for p in parts), ref_name, ref_columns))
    for table, count in stats.items():
        if table in drafts:
            drafts[table].row_estimate = count
    return [draft.table() for draft in drafts.values()]


def _sqlite_keys_and_stats(conn: Any) -> tuple[list[tuple], dict[str, int]]:
    foreign_keys = fetch_rows(conn, _SQLITE_FOREIGN_KEYS)
    stats: dict[str, int] = {}
    if fetch_rows(conn, _SQLITE_HAS_STATS):
        for table, stat in fetch_rows(conn, _SQLITE_STATS):
            first = str(stat or "").split(" ", 1)[0]
            if first.isdigit():  # rows in the table (or in an index of it): the largest wins
                stats[table] = max(stats.get(table, 0), int(first))
    return foreign_keys, stats
