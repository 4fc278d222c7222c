"""One SQLite file (WAL) for query history, audit events and rate-limit state.

Several kernels may write at once: WAL lets readers and one writer work together, every
write is one short ``BEGIN IMMEDIATE`` transaction, and a busy file is waited for (up
to ``busy_timeout`` seconds), never reported as "database is locked". A store that
cannot be opened or written (a read-only or full disk) never stops a query:
:attr:`Store.problem` says why history is not being kept.

>>> import tempfile, pathlib
>>> store = Store(pathlib.Path(tempfile.mkdtemp()) / "store.sqlite3")
>>> store.record_audit({"kind": "firewall", "rule": "one_statement"}) is not None
True
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from ..errors import RateLimitError, VannaError
from ..identity import current_user

if TYPE_CHECKING:
    from ..answer import Answer

STORE_FILE = "vanna-magic.sqlite3"
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS queries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, user TEXT, kind TEXT, question TEXT,
    sql TEXT, executed_sql TEXT, status TEXT, rows INTEGER, timings TEXT, total_ms REAL, model TEXT,
    prompt_tokens INTEGER, completion_tokens INTEGER, cost REAL, error TEXT, stage TEXT,
    connection TEXT, source TEXT, repairs INTEGER, pid INTEGER, confidence TEXT);
CREATE INDEX IF NOT EXISTS queries_at ON queries (at);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, user TEXT, kind TEXT, detail TEXT);
CREATE TABLE IF NOT EXISTS model_calls (user TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS model_calls_user_at ON model_calls (user, at);
CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at REAL NOT NULL);
"""
_DAMAGED = (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT)
MAX_INTEGER = 2**63 - 1  # SQLite's largest integer: no id, limit or offset is larger
_EMPTY_AFTER = 5.0  # seconds; a 0-byte store older than this is no other kernel's file in the making
QUERY_COLUMNS = ("id", "at", "user", "kind", "question", "sql", "executed_sql", "status", "rows", "timings",
                 "total_ms", "model", "prompt_tokens", "completion_tokens", "cost", "error", "stage", "connection",
                 "source", "repairs", "pid", "confidence")
_ADDED_COLUMNS = {"confidence": "TEXT"}  # columns newer than the first stores: added to an older file on open


class Store:
    """History, audit and rate-limit state in one SQLite file at ``path``.

    Args:
        path: the SQLite file; its folder is created when missing.
        clock: seconds since the epoch (a seam for tests).
        busy_timeout: seconds a write waits for another kernel's write to finish.
    """

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time, busy_timeout: float = 30.0):
        self.path = Path(path)
        self.clock = clock
        self.busy_timeout = busy_timeout
        self.problem: str | None = None
        self.notice: str | None = None  # what happened to the file that the user has not been told yet
        self._told: str | None = None  # the problem the user was last told about
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._calls: dict[str, list[float]] = {}  # rate-limit state while the file is unusable
        self._reopen()

    def _reopen(self) -> None:
        """Open the file; a folder that was read-only or full may have become usable since."""
        try:
            self._conn = self._open()
            self.problem = None
        except (sqlite3.Error, OSError) as exc:
            self.problem = f"cannot open {self.path} ({_reason(exc)})"

    @property
    def available(self) -> bool:
        return self._conn is not None and self.problem is None

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if _stale_empty(self.path):  # SQLite would take it for a new store: the history it held is lost
            self._set_aside("empty (0 bytes)")
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorcode", None) not in _DAMAGED:
                raise
            why = f"not a readable SQLite database ({_reason(exc)})"
        self._set_aside(why)
        return self._connect()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
        try:
            _retry_busy(lambda: conn.execute("PRAGMA journal_mode=WAL"), self.busy_timeout)
            conn.execute("PRAGMA synchronous=NORMAL")
            _retry_busy(lambda: self._create(conn), self.busy_timeout)
        except BaseException:
            conn.close()
            raise
        return conn

    def _set_aside(self, why: str) -> None:
        """Move the damaged file (and its WAL) aside with a timestamp, never deleting it, and say so once."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        os.replace(self.path, target)
        for suffix in ("-wal", "-shm"):
            companion = Path(f"{self.path}{suffix}")
            if companion.exists():
                os.replace(companion, Path(f"{target}{suffix}"))
        self.notice = (f"the history store {self.path} was {why}: it was moved aside to {target} and a new, empty "
                       "one was started (%vanna memory restore FILE brings a backup back)")

    def intact(self) -> bool:
        """Whether the open store passes SQLite's quick check (False when it cannot even be read)."""
        if self._conn is None:
            return False
        with self._lock:
            try:
                return self._conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                return False

    def recover(self) -> None:
        """Open the store again; a file that SQLite cannot read, or that fails its check, is moved aside first."""
        with self._lock:
            damaged = self._conn is not None and not self.intact()
            self.close()
            try:
                if damaged and self.path.exists():
                    self._set_aside("damaged (it fails SQLite's integrity check)")
            except OSError as exc:
                self.problem = f"cannot move the damaged {self.path} aside ({_reason(exc)})"
                return
            self._reopen()

    def tell(self) -> str | None:
        """What the user should hear about the store, once: a file moved aside, or a new problem keeping history."""
        with self._lock:
            if self.notice is not None:
                notice, self.notice = self.notice, None
                return notice
            if self.problem is None:
                self._told = None
                return None
            if self.problem == self._told:
                return None
            self._told = self.problem
            return f"history is not being kept: {self.problem}"
    @staticmethod
    def _create(conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(statement)
            present = {row[1] for row in conn.execute("PRAGMA table_info(queries)")}
            for name, kind in _ADDED_COLUMNS.items():
                if name not in present:
                    conn.execute(f"ALTER TABLE queries ADD COLUMN {name} {kind}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; SQLite waits up to ``busy_timeout`` for other writers."""
        assert self._conn is not None
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _write(self, action: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run a write; on failure remember why (history is then not kept) and return None."""
        if self._conn is None:
            with self._lock:
                self._reopen()
            if self._conn is None:
                return None
        try:
            with self._writing() as conn:
                result = action(conn)
            self.problem = None
            return result
        except sqlite3.Error as exc:
            self.problem = f"cannot write {self.path} ({_reason(exc)})"
            return None

    def _read(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        if self._conn is None:
            raise VannaError(f"the history store is unavailable: {self.problem}", stage="history",
                             hint="Set store_path to a writable file (VANNA_MAGIC_STORE_PATH).")
        with self._lock:
            self._conn.row_factory = sqlite3.Row
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise VannaError(f"cannot read the history store {self.path}: {_reason(exc)}", stage="history",
                                 hint="Check the file's permissions, or restore it from a backup.") from exc
            finally:
                self._conn.row_factory = None

    def ping(self) -> bool:
        """True when the store can be written now: a real write (a read-only or full store fails it)."""
        return self._write(lambda conn: conn.execute(
            "INSERT OR REPLACE INTO probe (id, at) VALUES (1, ?)", (self.clock(),)).rowcount == 1) is True

    def record_query(self, answer: "Answer", *, kind: str, stage: str | None = None,
                     user: str | None = None) -> int | None:
        """Store one query attempt; its id, or None when history is not being kept."""
        row = {
            "at": self.clock(), "user": user or current_user(), "kind": kind, "question": answer.question,
            "sql": answer.sql, "executed_sql": answer.executed_sql, "status": answer.status,
            "rows": answer.row_count, "timings": json.dumps({k: round(v, 6) for k, v in answer.timings.items()}),
            "total_ms": round(answer.total_seconds * 1000, 3), "model": answer.model,
            "prompt_tokens": answer.prompt_tokens, "completion_tokens": answer.completion_tokens,
            "cost": answer.cost, "error": answer.error, "stage": stage,
            "connection": answer.connection, "source": answer.source, "repairs": answer.repairs, "pid": os.getpid(),
            "confidence": answer.confidence.level if answer.confidence is not None else None,
        }
        names = ", ".join(row)
        marks = ", ".join("?" * len(row))
        return self._write(lambda conn: conn.execute(
            f"INSERT INTO queries ({names}) VALUES ({marks})", tuple(row.values())).lastrowid)

    def record_audit(self, event: Mapping[str, Any], *, user: str | None = None) -> int | None:
        """Store an audit event (any JSON-able mapping; ``kind`` names it); its id, or None."""
        kind = str(event.get("kind") or event.get("event") or event.get("type") or "event")
        detail = json.dumps(dict(event), default=str, sort_keys=True)
        return self._write(lambda conn: conn.execute(
            "INSERT INTO audit (at, user, kind, detail) VALUES (?, ?, ?, ?)",
            (self.clock(), user or current_user(), kind, detail)).lastrowid)

    def audit(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self._read("SELECT id, at, user, kind, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]

    def history(self, *, status: str | None = None, confidence: str | None = None, page: int = 1,
                per_page: int = 20) -> tuple[list[dict], int]:
        """One page of query attempts, newest first, and how many there are in all (with ``status`` and
        ``confidence`` when given)."""
        filters = [(column, value) for column, value in (("status", status), ("confidence", confidence)) if value]
        where = ("WHERE " + " AND ".join(f"{column} = ?" for column, _ in filters)) if filters else ""
        params = tuple(value for _, value in filters)
        total = self._read(f"SELECT COUNT(*) FROM queries {where}", params)[0][0]
        if (page - 1) * per_page > MAX_INTEGER or per_page > MAX_INTEGER:
            return [], int(total)  # far past the last page
        rows = self._read(f"SELECT * FROM queries {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                          (*params, per_page, (page - 1) * per_page))
        return [_query(r) for r in rows], int(total)

    def get(self, query_id: int) -> dict[str, Any]:
        rows = self._read("SELECT * FROM queries WHERE id = ?", (int(query_id),)) \
            if -MAX_INTEGER <= int(query_id) <= MAX_INTEGER else []
        if not rows:
            last = self._read("SELECT MAX(id) FROM queries")[0][0]
            raise VannaError(f"there is no query {query_id} in the history", stage="history",
                             hint=f"%vanna history lists them (ids 1 to {last})." if last
                             else "The history is empty: ask a question first.")
        return _query(rows[0])

    def error_rate(self, seconds: float = 86400.0) -> dict[str, Any]:
        """Attempts and errors over the last ``seconds`` (all kernels sharing the file)."""
        count, errors = self._read("SELECT COUNT(*), COALESCE(SUM(status = 'error'), 0) FROM queries WHERE at >= ?",
                                   (self.clock() - seconds,))[0]
        return {"attempts": count, "errors": errors, "error_rate": round(errors / count, 4) if count else 0.0}

    def usage(self, days: int = 30) -> list[dict[str, Any]]:
        """Per user and UTC day: questions, success rate, tokens and cost."""
        rows = self._read(
            "SELECT user, date(at, 'unixepoch') AS day, COUNT(*) AS questions, "
            "SUM(status != 'error') AS succeeded, SUM(prompt_tokens + completion_tokens) AS tokens, "
            "SUM(COALESCE(cost, 0)) AS cost FROM queries WHERE at >= ? GROUP BY user, day ORDER BY day DESC, user",
            (self.clock() - days * 86400,))
        return [{"user": r["user"], "day": r["day"], "questions": r["questions"],
                 "success_rate": round(r["succeeded"] / r["questions"], 4), "tokens": r["tokens"] or 0,
                 "cost": round(r["cost"] or 0.0, 6)} for r in rows]

    def kind_counts(self) -> dict[str, int]:
        """Uses per kind: questions and statements from the history, ``%vanna`` commands from the audit."""
        counts = {r[0]: r[1] for r in self._read("SELECT kind, COUNT(*) FROM queries GROUP BY kind")}
        for command, uses in self._read("SELECT json_extract(detail, '$.command'), COUNT(*) FROM audit "
                                        "WHERE kind = 'command' GROUP BY 1"):
            counts[command] = counts.get(command, 0) + uses
        return counts

    def count(self, table: str = "queries") -> int:
        if table not in ("queries", "audit", "model_calls"):
            raise ValueError(table)
        return int(self._read(f"SELECT COUNT(*) FROM {table}")[0][0])

    def cleanup(self, older_than_days: float) -> int:
        """Delete history, audit and rate-limit rows older than ``older_than_days``; how many were deleted."""
        cutoff = self.clock() - older_than_days * 86400

        def delete(conn: sqlite3.Connection) -> int:
            return sum(conn.execute(f"DELETE FROM {t} WHERE at < ?", (cutoff,)).rowcount
                       for t in ("queries", "audit", "model_calls"))

        deleted = self._write(delete)
        if deleted is None:
            raise VannaError(f"the history store is unavailable: {self.problem}", stage="history",
                             hint="Check that the store's folder is writable.")
        return deleted

    def acquire(self, user: str, limit: int, per: float = 60.0) -> None:
        """Count one model call of ``user``, or raise :class:`RateLimitError` past ``limit`` calls per ``per`` s.

        The state is in the file, so kernels sharing it share the limit; while it is
        unusable the limit is kept in memory for this process.
        """
        now = self.clock()

        def take(conn: sqlite3.Connection) -> tuple[float | None]:
            conn.execute("DELETE FROM model_calls WHERE at <= ?", (now - per,))
            count, oldest = conn.execute("SELECT COUNT(*), MIN(at) FROM model_calls WHERE user = ? AND at > ?",
                                         (user, now - per)).fetchone()
            if count >= limit:
                return (oldest,)
            conn.execute("INSERT INTO model_calls (user, at) VALUES (?, ?)", (user, now))
            return (None,)

        written = self._write(take)  # None: the file is unusable now
        if written is not None:
            outcome = written[0]
        else:
            with self._lock:
                calls = [t for t in self._calls.get(user, []) if t > now - per]
                outcome = min(calls) if len(calls) >= limit else None
                if outcome is None:
                    calls.append(now)
                self._calls[user] = calls
        if outcome is not None:
            wait = max(0.0, outcome + per - now)
            at = datetime.fromtimestamp(now + wait, timezone.utc).strftime("%H:%M:%S UTC")
            raise RateLimitError(
                f"{user} has made {limit} model calls in the last {per:g} s, the limit (rate_limit)",
                retry_after=round(wait, 1), user=user,
                hint=f"Retry in {wait:.0f} s (at {at}), or raise VANNA_MAGIC_RATE_LIMIT.")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _stale_empty(path: Path) -> bool:
    try:
        info = path.stat()
    except OSError:
        return False
    return info.st_size == 0 and time.time() - info.st_mtime > _EMPTY_AFTER


def _query(row: sqlite3.Row) -> dict[str, Any]:
    item = dict(row)
    item["timings"] = json.loads(item["timings"]) if item.get("timings") else {}
    return item


def _reason(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _retry_busy(action: Callable[[], Any], timeout: float) -> Any:
    """Retry ``action`` while another process holds the lock SQLite's busy handler does not wait for
    (changing the journal mode of a new file); decided on the error code, not the message."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) not in _BUSY or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
