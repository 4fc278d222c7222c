"""Column samples (``column_samples``): a few stored values beside each column of the tables a prompt shows.

A small model writes ``state_name = 'Texas'`` where the column holds ``'texas'``, or compares a
date kept as text the wrong way, because it never saw a value. With ``column_samples = N`` each
column of a shown table gets a comment under its ``CREATE TABLE`` line: a short text column its
N most frequent values (each cut to 30 characters, quoted as the dialect quotes strings), a
number or date column its least and greatest value, a column holding nothing but NULLs
``always NULL``. Booleans, keys, long text (descriptions, notes), binary and structured
columns get nothing.

Each table is read in two statements (its ranges and text lengths, then the frequent values of
its short text columns) over at most its first 100,000 rows, within ``query_timeout``; the
samples are cached per connection and table shape in ``<cache_dir>/samples/`` and read again
when the catalog is refreshed. A table that cannot be read is shown without samples.

Privacy: unlike value linking, this sends values of every sampled column to the model. Columns
the role's data policy hides or masks, and tables it filters by row, are never read.

>>> ColumnSample("text", ("texas", "ohio", "utah"), more=True).note(2, "postgres")
"'texas', 'ohio', ..."
>>> ColumnSample("range", ("1990-01-01", "2023-12-31")).note(3, "sqlite")
'1990-01-01 to 2023-12-31'
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import hashlib
import json
import re
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ..config import MAX_COLUMN_SAMPLES
from ..errors import DatabaseConnectionError, QueryCancelledError, VannaError
from .values import allowed_columns, is_text_column

if TYPE_CHECKING:
    from ..context import AskContext
    from ..data.catalog import Catalog
    from ..data.database import Database
    from ..data.schema import Column, Table
    from ..guard.policy import RolePolicy

MAX_SAMPLES = MAX_COLUMN_SAMPLES  # the most values read per text column
SCAN_ROWS = 100_000  # rows of each table read
MAX_CHARS = 30  # a longer value is cut, and marked so
LONG_TEXT = 50  # average characters above which a text column is prose: no values shown
MIN_SECONDS = 0.5  # a table is not started with less time than this left
FORMAT = 1

_NUMBER = frozenset("int integer tinyint smallint mediumint bigint int2 int4 int8 hugeint utinyint usmallint uinteger "
                    "ubigint serial smallserial bigserial serial4 serial8 numeric decimal dec number real float "
                    "float4 float8 double money smallmoney binary_float binary_double year".split())
_DATE = frozenset("date datetime datetime2 smalldatetime datetimeoffset timestamp timestamptz time timetz".split())
_BOOLEAN = re.compile(r"^(?:bool|boolean|bit|tinyint\(1\))\b", re.IGNORECASE)
_ID_NAME = re.compile(r"^id$|_id$", re.IGNORECASE)


def column_kind(column: "Column", table: "Table") -> str | None:
    """``"text"``, ``"range"`` (numbers, dates) or None (booleans, numeric keys, binary, structured) for one column."""
    type_name = (column.type or "").strip()
    if not type_name or _BOOLEAN.match(type_name):
        return None
    word = re.sub(r"\(.*?\)", " ", type_name).lower().split()[0]
    if word in _NUMBER:  # the range of a numeric key says nothing a question needs
        keys = {c.lower() for c in table.primary_key} | {c.lower() for fk in table.foreign_keys for c in fk.columns}
        return None if column.name.lower() in keys or _ID_NAME.search(column.name) else "range"
    if word in _DATE:
        return "range"
    return "text" if is_text_column(type_name) else None


@dataclass(frozen=True)
class ColumnSample:
    """What was read from one column: ``text`` (frequent values), ``range`` (least, greatest) or ``null``."""

    kind: str
    values: tuple[str, ...] = ()
    more: bool = False  # a text column with more distinct values than were read

    def note(self, count: int, dialect: str) -> str:
        """The comment the prompt shows, with at most ``count`` values of a text column."""
        from sqlglot import exp

        if self.kind == "null":
            return "always NULL"
        if self.kind == "range":
            return f"{self.values[0]} to {self.values[1]}"
        shown = [exp.Literal.string(v[:MAX_CHARS]).sql(dialect=dialect) + ("..." if len(v) > MAX_CHARS else "")
                 for v in self.values[:count]]
        return ", ".join(shown + (["..."] if self.more or len(self.values) > count else []))


def _shown(value: Any) -> str:
    """A least or greatest value as the prompt writes it: numbers plainly, dates in ISO form."""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(round(value, 4)) if abs(value) >= 1e-3 else f"{value:.3g}"
    if isinstance(value, decimal.Decimal):
        return str(value)
    return " ".join(str(value).split())[:MAX_CHARS]


def _name(table: "Table") -> str:
    from ..data.schema import quote

    return ".".join(quote(part, "postgres") for part in ((table.schema,) if table.schema else ()) + (table.name,))


def _statements(table: "Table", columns: Sequence[tuple[str, str]], dialect: str) -> tuple[str, list[str]]:
    """The statement reading the row count, ranges and text lengths; the texts read by the second one."""
    import sqlglot

    from ..data.schema import quote

    name, scan = _name(table), ", ".join(quote(c, "postgres") for c, _ in columns)
    parts = ["COUNT(*)"]
    for column, kind in columns:
        col = quote(column, "postgres")
        parts += [f"MIN({col})", f"MAX({col})"] if kind == "range" else [f"AVG(LENGTH({col}))"]
    first = f"SELECT {', '.join(parts)} FROM (SELECT {scan} FROM {name} LIMIT {SCAN_ROWS}) AS s"
    return sqlglot.transpile(first, read="postgres", write=dialect)[0], [c for c, kind in columns if kind == "text"]


def _frequent(table: "Table", texts: Sequence[str], dialect: str) -> str:
    """One statement: the most frequent values of each text column (one more than shown, to know there are more)."""
    import sqlglot

    from ..data.schema import quote

    name = _name(table)
    parts = []
    for i, column in enumerate(texts):
        col = quote(column, "postgres")
        parts.append(f"SELECT {i} AS k, v, n FROM (SELECT {col} AS v, COUNT(*) AS n FROM (SELECT {col} FROM {name} "
                     f"LIMIT {SCAN_ROWS}) AS s WHERE {col} IS NOT NULL GROUP BY {col} ORDER BY COUNT(*) DESC, {col} "
                     f"LIMIT {MAX_SAMPLES + 1}) AS d{i}")
    return sqlglot.transpile(" UNION ALL ".join(parts), read="postgres", write=dialect)[0]


def read_table(db: "Database", table: "Table", columns: Sequence[tuple[str, str]], dialect: str,
               timeout: float | None = None) -> dict[str, ColumnSample]:
    """Samples of ``columns`` (``(name, kind)``) of one table, in two statements within one deadline.

    Raises the database layer's errors (:class:`~vanna_magic.core.errors.ExecutionError`,
    :class:`~vanna_magic.core.errors.QueryTimeoutError`...).
    """
    from ..data.schema import fetch_rows

    first, texts = _statements(table, columns, dialect)

    def fetch() -> tuple[list, list[str], list]:
        with db.reading(timeout=timeout) as conn:
            summary = fetch_rows(conn, first)
            if not summary or not summary[0][0]:
                return summary, [], []
            short = [c for c, length in zip(texts, _lengths(summary[0], columns))
                     if length is not None and length <= LONG_TEXT]
            return summary, short, fetch_rows(conn, _frequent(table, short, dialect)) if short else []

    summary, short, frequent = db.bounded(fetch, timeout=timeout)
    if not summary or not summary[0][0]:
        return {}  # no rows: nothing to say
    row, samples, position = summary[0], {}, 1
    for column, kind in columns:
        if kind == "range":
            low, high = row[position], row[position + 1]
            position += 2
            samples[column] = (ColumnSample("null") if low is None
                               else ColumnSample("range", (_shown(low), _shown(high))))
            continue
        length = row[position]
        position += 1
        if length is None:
            samples[column] = ColumnSample("null")
    read: dict[int, list[str]] = {}
    for k, value, _ in frequent:
        if value is not None and not isinstance(value, (bytes, bytearray, memoryview)):
            read.setdefault(int(k), []).append(" ".join(str(value).split())[:MAX_CHARS + 1])
    for i, column in enumerate(short):
        values = read.get(i, [])
        if values:
            samples[column] = ColumnSample("text", tuple(values[:MAX_SAMPLES]), more=len(values) > MAX_SAMPLES)
    return samples


def _lengths(row: Sequence, columns: Sequence[tuple[str, str]]) -> list[float | None]:
    """The average length of each text column, from the first statement's row."""
    lengths, position = [], 1
    for _, kind in columns:
        if kind == "range":
            position += 2
        else:
            lengths.append(None if row[position] is None else float(row[position]))
            position += 1
    return lengths


def entry_key(table: "Table", columns: Sequence[tuple[str, str]]) -> str:
    """A table's cache key: its name and the names and types of the columns read (so a role reading fewer
    columns, or a changed column, reads again)."""
    types = {c.name: c.type for c in table.columns}
    text = json.dumps([FORMAT, SCAN_ROWS, table.schema, table.name, [(c, types.get(c), k) for c, k in columns]])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@dataclass
class _Held:
    generation: int
    entries: dict[str, dict[str, ColumnSample]]
    failed: set[str] = dataclasses.field(default_factory=set)  # tables that could not be read: not tried again


_LOCK = threading.Lock()
_HELD: "weakref.WeakKeyDictionary[Catalog, _Held]" = weakref.WeakKeyDictionary()


def _path(catalog: "Catalog", cache_dir: Path) -> Path:
    key = hashlib.sha256(json.dumps([catalog.db.url, FORMAT]).encode("utf-8")).hexdigest()[:24]
    return Path(cache_dir) / "samples" / f"samples-{key}.json"


def _load(path: Path) -> dict[str, dict[str, ColumnSample]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return {}
        return {key: {c: ColumnSample(kind, tuple(values), bool(more)) for c, (kind, values, more) in cols.items()}
                for key, cols in data["tables"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _save(path: Path, entries: Mapping[str, Mapping[str, ColumnSample]]) -> None:
    tables = {key: {c: [s.kind, list(s.values), s.more] for c, s in cols.items()} for key, cols in entries.items()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"format": FORMAT, "tables": tables}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # an unwritable cache costs a read next session, nothing else


def sampled_columns(tables: Sequence["Table"], policy: "RolePolicy | None"
                    ) -> list[tuple["Table", list[tuple[str, str]]]]:
    """The tables worth reading and their columns ``(name, kind)``: tables (not views) that may have rows, and
    only the columns the role's policy neither hides nor masks, in tables it does not filter by row."""
    allowed = allowed_columns(tables, policy)
    chosen = []
    for table in tables:
        if table.extra.get("kind", "table") != "table" or table.row_estimate == 0:
            continue
        columns = [(c.name, kind) for c in table.columns
                   if (table.schema, table.name, c.name) in allowed and (kind := column_kind(c, table)) is not None]
        if columns:
            chosen.append((table, columns))
    return chosen


def table_samples(catalog: "Catalog", tables: Sequence["Table"], dialect: str, cache_dir: Path, *,
                  policy: "RolePolicy | None" = None, seconds: float = 30.0, notes: list[str] | None = None
                  ) -> dict[tuple[str | None, str], dict[str, ColumnSample]]:
    """Samples of ``tables``' columns, by ``(schema, table)``: from memory, the cache file, else the database.

    Tables are read in order until ``seconds`` have passed in all; a table that fails (or the
    time that ran out) leaves a line in ``notes`` and the table without samples. Refreshing the
    catalog (``%vanna schema --refresh``) reads them again.
    """
    notes = [] if notes is None else notes
    db = catalog.db
    keep = getattr(db, "values_cacheable", True)  # DataFrames change without the database knowing
    path = _path(catalog, cache_dir)
    deadline = time.monotonic() + seconds
    found: dict[tuple[str | None, str], dict[str, ColumnSample]] = {}
    with _LOCK:
        held = _HELD.get(catalog)
        if held is None or held.generation != catalog.generation:
            trusted = keep and held is None  # a refreshed catalog never trusts the file
            held = _Held(catalog.generation, _load(path) if trusted and path.is_file() else {})
            _HELD[catalog] = held
        added, reachable = False, True
        for table, columns in sampled_columns(tables, policy):
            key = entry_key(table, columns)
            if reachable and key not in held.entries and key not in held.failed:
                left = deadline - time.monotonic()
                if left < min(MIN_SECONDS, seconds / 4):
                    notes.append(f"column samples of {table.name} were not read: time ran out")
                    continue
                try:
                    held.entries[key] = read_table(db, table, columns, dialect, timeout=left)
                    added = True
                except QueryCancelledError:
                    raise
                except DatabaseConnectionError as exc:
                    notes.append(f"column samples were not read: {exc.message}")
                    reachable = False
                    continue
                except VannaError as exc:
                    held.failed.add(key)
                    notes.append(f"column samples of {table.name} could not be read: {exc.message}")
                    continue
            if held.entries.get(key):
                found[(table.schema, table.name)] = held.entries[key]
        if added and keep:
            _save(path, held.entries)
    return found


def attach_samples(ctx: "AskContext") -> None:
    """Put the samples of the retrieved tables' columns on the answer, as the prompt will show them."""
    retrieved = ctx.answer.retrieved
    count = ctx.settings.column_samples
    samples = table_samples(ctx.catalog, retrieved.tables, ctx.firewall.dialect, ctx.settings.cache_path,
                            policy=getattr(ctx.firewall, "policy", None), seconds=ctx.settings.query_timeout,
                            notes=ctx.answer.notes)
    retrieved.samples = {key: {c: s.note(count, ctx.firewall.dialect) for c, s in cols.items()}
                         for key, cols in samples.items()}


def annotate(tables: Sequence["Table"], samples: Mapping[tuple[str | None, str], Mapping[str, str]]
             ) -> list["Table"]:
    """``tables`` with each sampled column's note added to its comment (after a description it already has).

    >>> from vanna_magic.core.data.schema import Column, Table
    >>> t = annotate([Table("t", (Column("n", "INT", comment="Age"),))], {(None, "t"): {"n": "1 to 99"}})
    >>> t[0].columns[0].comment
    'Age; 1 to 99'
    """
    out = []
    for table in tables:
        notes = samples.get((table.schema, table.name))
        if not notes:
            out.append(table)
            continue
        columns = tuple(c if c.name not in notes else dataclasses.replace(
            c, comment=f"{c.comment.rstrip().removesuffix('.')}; {notes[c.name]}" if c.comment else notes[c.name])
            for c in table.columns)
        out.append(dataclasses.replace(table, columns=columns))
    return out
