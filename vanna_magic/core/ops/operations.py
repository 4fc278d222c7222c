"""Operating a session: recording each attempt, health probes, metrics, rerun and export.

Front ends call these through :class:`~vanna_magic.core.session.Session`; they keep
no state of their own (the breakers and metrics live in ``session.health``, records
in ``session.store``).
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..config import redact
from ..errors import ConfigurationError, VannaError
from .health import OPEN, operational_mode, score

if TYPE_CHECKING:
    from ..answer import Answer
    from ..context import AskContext
    from ..data.database import Database
    from ..session import Session

_CHUNK = 1000  # rows fetched from the driver at a time while exporting


def recorded(session: "Session", kind: str, ctx: "AskContext", run: Callable[["AskContext"], "Answer"]) -> "Answer":
    """Run one question or statement; whatever happens, count it and store it in the history."""
    failed = True
    stage = None
    try:
        answer = run(ctx)
        failed = False
        return answer
    except VannaError as exc:
        stage = exc.stage
        ctx.answer.status = "error"
        ctx.answer.error = ctx.answer.error or exc.message
        exc.answer = ctx.answer
        raise
    finally:
        answer = ctx.answer
        session.health.metrics.observe(answer, failed)
        store = session.store
        answer.history_id = store.record_query(answer, kind=kind, stage=stage, user=session.user)
        if answer.history_id is None:
            answer.notes.append(f"history is not being kept: {store.problem}")


def model_limiter(session: "Session", model: Any) -> Callable[[], None] | None:
    """The per-user rate limit for calls that reach a provider (replayed and injected models are free)."""
    from ..generate.model import LiteLLMModel
    from ..generate.replay import ReplayModel

    metered = isinstance(model, LiteLLMModel) or (isinstance(model, ReplayModel) and model.mode == "record")
    if not metered:
        return None
    return lambda: session.store.acquire(session.user, session.settings.rate_limit)


def health_report(session: "Session", info: dict[str, Any]) -> dict[str, Any]:
    """Probe every part now, and add the health score, the mode and what it leaves unavailable to ``info``."""
    health = session.health
    database = info.get("database") == "ok"
    model_configured = info.get("model") is not None
    model_breaker = health.breakers["model"]
    model_error = probe_model(session.model) if model_configured and model_breaker.state != OPEN else None
    model_ok = model_configured and model_breaker.state != OPEN and model_error is None
    try:
        health.call("index", lambda: session.retriever.closest_questions("health check", 1))
        index_ok, index_error = True, None
    except Exception as exc:  # any failure of the index is what this probe is for
        index_ok, index_error = False, getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    store_ok = session.store.ping()
    parts = {"database": database, "model": model_ok, "index": index_ok, "store": store_ok}
    reason = ("no language model is configured" if not model_configured
              else f"the model is unavailable: {model_error or model_breaker.last_error}")
    mode = operational_mode(database=database, configured=bool(session.settings.connection), model=model_ok,
                            index=index_ok, database_error=(info.get("database_error") or "").split("\n")[0],
                            model_reason=reason)
    info.update(mode=mode.name, mode_reason=mode.reason, unavailable=list(mode.unavailable), next_step=mode.next_step,
                health_score=score(parts), parts=parts, index_error=index_error,
                breakers={name: b.snapshot() for name, b in health.breakers.items()},
                store={"path": str(session.store.path), "kept": store_ok, "problem": session.store.problem},
                metrics=metrics(session))
    return info


def probe_model(model: Any, timeout: float = 2.0) -> str | None:
    """Why the model cannot answer now, or None; never spends tokens.

    A replay file must be readable; a server at ``api_base`` must answer HTTP (any status:
    ``GET /models`` needs no completion); a hosted provider is trusted until its breaker opens.
    """
    import urllib.error
    import urllib.request

    from ..generate.model import LiteLLMModel
    from ..generate.replay import ReplayModel

    if isinstance(model, ReplayModel) and model.mode == "replay":
        try:
            model.records()
        except VannaError as exc:
            return exc.message
        return None
    if isinstance(model, ReplayModel):
        model = model.inner
    if not isinstance(model, LiteLLMModel) or not model.api_base:
        return None
    url = model.api_base.rstrip("/") + "/models"
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=timeout).close()
    except urllib.error.HTTPError:
        return None  # it answered: reachable, whatever it thinks of the request
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"the model server at {redact(model.api_base)} does not answer ({reason})"
    return None


def metrics(session: "Session") -> dict[str, Any]:
    """Counts, latencies, tokens and cost of this process, and the error rate of the last 24 h from the store."""
    result = session.health.metrics.snapshot(session.clock)
    try:
        result["last_24h"] = session.store.error_rate(86400.0)
    except VannaError as exc:
        result["last_24h"] = {"error": exc.message}
    return result


def rerun(session: "Session", query_id: int) -> "Answer":
    """Ask a stored question again (or run a stored statement again)."""
    record = session.store.get(query_id)
    if record["kind"] == "sql":
        return session.run_sql(record["sql"] or "")
    if not record["question"]:
        raise VannaError(f"query {query_id} has no question to ask again", stage="history")
    return session.ask(record["question"])


def export(session: "Session", query_id: int, path: str | os.PathLike, *, max_rows: int | None = None,
           connection: str | None = None) -> int:
    """Run a stored query again and write its rows to ``path`` as CSV (RFC 4180), streamed; the row count.

    The statement goes through the firewall with a cap of ``max_rows + 1`` rows; more
    rows than ``max_rows`` fail with the full count and leave no file behind. ``connection``
    (a URL or connection name) is the database the query ran on, when it is not the current one.
    """
    record = session.store.get(query_id)
    sql = record["sql"] or record["executed_sql"]
    if not sql:
        raise VannaError(f"query {query_id} has no SQL to export", stage="export",
                         hint=f"Its status was {record['status']}: {record.get('error') or 'no statement'}.")
    db = session.database(connection)
    if record.get("connection") and record["connection"] != redact(db.url):
        raise VannaError(f"query {query_id} ran on {record['connection']}, not on the current connection "
                         f"{redact(db.url)}", stage="export",
                         hint="Connect to that database first (%vanna connect URL), then export again.")
    cap = session.settings.export_max_rows if max_rows is None else max_rows
    target = Path(path).expanduser()
    if target.suffix.lower() != ".csv":
        raise ConfigurationError(f"the export path {str(target)!r} does not end in .csv", stage="export",
                                 hint="Name the file PATH.csv.")
    if not target.parent.is_dir():
        raise VannaError(f"the folder {target.parent} does not exist", stage="export",
                         hint="Create it first, or export to an existing folder.")
    checked = session.firewall(db.dialect, cap + 1, connection).enforce(sql)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".csv.tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            written = _stream(session, db, checked, out, cap)
        if written > cap:
            total = _count(session, db, sql)
            raise VannaError(f"query {query_id} returns {total} rows, more than the export cap of {cap}",
                             stage="export", rows=total,
                             hint="Filter or aggregate it, or raise export_max_rows (VANNA_MAGIC_EXPORT_MAX_ROWS).")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return written


def _stream(session: "Session", db: "Database", sql: str, out: Any, cap: int) -> int:
    """Write the header and up to ``cap + 1`` rows, fetched in chunks; how many rows were written."""
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: CRLF, quotes doubled, minimal quoting
    written = 0

    def run() -> int:
        nonlocal written
        with db.reading(timeout=session.settings.query_timeout) as conn:
            result = conn.exec_driver_sql(sql, execution_options={"no_parameters": True, "stream_results": True})
            writer.writerow(list(result.keys()))
            while written <= cap:
                rows = result.fetchmany(_CHUNK)
                if not rows:
                    break
                for row in rows:
                    writer.writerow([_cell(v) for v in row])
                written += len(rows)
        return written

    return session.health.call("database", run)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return value


def _count(session: "Session", db: "Database", sql: str) -> int:
    """The number of rows ``sql`` returns, counted by the database (the statement becomes a subquery)."""
    import sqlglot

    tree = sqlglot.parse_one(sql, read=db.dialect)
    counting = sqlglot.select("COUNT(*)").from_(tree.subquery("exported")).sql(dialect=db.dialect)
    frame = session.health.call("database", lambda: db.execute(counting).frame)
    return int(frame.iloc[0, 0])
