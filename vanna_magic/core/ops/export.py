"""``%vanna export ID PATH.csv``: a stored query run again, every row streamed to a CSV file (RFC 4180).

The statement goes through the firewall with a cap of ``cap + 1`` rows; more rows than
``cap`` fail with the full count and leave no file behind. The file is written beside its
target and moved into place, so a reader never sees half of it.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..config import redact
from ..errors import ConfigurationError, VannaError

if TYPE_CHECKING:
    from ..data.database import Database
    from ..guard import Firewall
    from .health import Health

_CHUNK = 1000  # rows fetched from the driver at a time while exporting


def export_csv(query_id: int, record: Mapping[str, Any], path: str | os.PathLike, *,
               database: Callable[[], "Database"], firewall: Callable[["Database", int], "Firewall"], cap: int,
               health: "Health", query_timeout: float) -> int:
    """Run the stored query ``record`` again and write its rows to ``path``; the row count.

    ``database()`` is the database to run it on; ``firewall(database, max_rows)`` its firewall for a row
    cap; ``cap`` the most rows written.
    """
    sql = record["sql"] or record["executed_sql"]
    if not sql:
        raise VannaError(f"query {query_id} has no SQL to export", stage="export",
                         hint=f"Its status was {record['status']}: {record.get('error') or 'no statement'}.")
    db = database()
    health = health.bound(db.url)  # failures here count against this connection only
    if record.get("connection") and record["connection"] != redact(db.url):
        raise VannaError(f"query {query_id} ran on {record['connection']}, not on the current connection "
                         f"{redact(db.url)}", stage="export",
                         hint="Connect to that database first (%vanna connect URL), then export again.")
    target = Path(path).expanduser()
    if target.suffix.lower() != ".csv":
        raise ConfigurationError(f"the export path {str(target)!r} does not end in .csv", stage="export",
                                 hint="Name the file PATH.csv.")
    if not target.parent.is_dir():
        raise VannaError(f"the folder {target.parent} does not exist", stage="export",
                         hint="Create it first, or export to an existing folder.")
    checked = firewall(db, cap + 1).enforce(sql)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".csv.tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            written = health.call("database", lambda: db.bounded(
                lambda: _stream(db, checked, out, cap, query_timeout), timeout=query_timeout))
        if written > cap:
            total = _count(db, health, sql)
            raise VannaError(f"query {query_id} returns {total} rows, more than the export cap of {cap}",
                             stage="export", rows=total,
                             hint="Filter or aggregate it, or raise export_max_rows (VANNA_MAGIC_EXPORT_MAX_ROWS).")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return written


def _stream(db: "Database", sql: str, out: Any, cap: int, timeout: float) -> int:
    """Write the header and up to ``cap + 1`` rows, fetched in chunks; how many rows were written."""
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: CRLF, quotes doubled, minimal quoting
    written = 0
    with db.reading(timeout=timeout) as conn:
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


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return value


def _count(db: "Database", health: "Health", sql: str) -> int:
    """The number of rows ``sql`` returns, counted by the database (the statement becomes a subquery)."""
    import sqlglot

    tree = sqlglot.parse_one(sql, read=db.dialect)
    counting = sqlglot.select("COUNT(*)").from_(tree.subquery("exported")).sql(dialect=db.dialect)
    frame = health.call("database", lambda: db.execute(counting).frame)
    return int(frame.iloc[0, 0])
