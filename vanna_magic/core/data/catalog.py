"""The schema of a connection: tables, columns, keys, comments, row estimates.

Read in a few bulk catalog queries per dialect (never one query per table),
cached on the :class:`Catalog`, refreshed on request; :func:`render_ddl` turns tables
into the compact ``CREATE TABLE`` text a prompt shows the model.

>>> t = Table("orders", (Column("id", "INTEGER", nullable=False), Column("total", "REAL")), primary_key=("id",))
>>> print(render_ddl([t], "sqlite"))
CREATE TABLE orders (
  id INTEGER,
  total REAL,
  PRIMARY KEY (id)
);
"""

from __future__ import annotations

import difflib
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..errors import ExecutionError, VannaError

if TYPE_CHECKING:
    from .database import Database


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    primary_key: bool = False
    comment: str | None = None


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    schema: str | None = None
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    comment: str | None = None
    row_estimate: int | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)



# Tables in these schemas are written without a qualifier.
DEFAULT_SCHEMAS = {"sqlite": "main", "postgres": "public", "tsql": "dbo"}


class Catalog:
    """The tables of one :class:`~vanna_magic.core.data.database.Database`, read once and cached.

    ``problems`` names objects that could not be read (e.g. a view over a dropped table).
    """

    def __init__(self, db: "Database"):
        self.db = db
        self.problems: list[str] = []
        self._tables: list[Table] | None = None
        self._lock = threading.Lock()
        self.generation = 0  # how many times the catalog was read; caches derived from it compare this

    def tables(self, *, refresh: bool = False) -> list[Table]:
        """Every table and view reachable without naming a database (PostgreSQL: the search path)."""
        with self._lock:
            if self._tables is None or refresh:
                problems: list[str] = []
                self._tables = read_tables(self.db, problems)
                self.generation += 1
                self.problems = problems
            return list(self._tables)

    def table(self, name: str) -> Table:
        """The table called ``name``: case-insensitive, ``schema.table`` accepted."""
        tables = self.tables()
        wanted = name.strip().replace('"', "").lower()
        default_schema = DEFAULT_SCHEMAS.get(self.db.dialect)
        for table in tables:
            if wanted in {table.name.lower(), f"{table.schema or default_schema}.{table.name}".lower()}:
                return table
        names = [display_name(t, self.db.dialect) for t in tables]
        close = set(difflib.get_close_matches(wanted, [n.lower() for n in names], n=3, cutoff=0.5))
        if close:
            hint = f"Did you mean {', '.join(n for n in names if n.lower() in close)}?"
        elif names:
            hint = f"Known tables: {', '.join(names[:30])}{', ...' if len(names) > 30 else ''}."
        else:
            hint = "The database has no tables."
        raise VannaError(f"no table named {name!r} in {self.db.url}", hint=hint, stage="catalog")

    def refresh(self) -> None:
        """Read the catalog again, e.g. after the schema changed."""
        self.tables(refresh=True)


def display_name(table: Table, dialect: str) -> str:
    """The table's name as SQL should write it: qualified only outside the default schema."""
    return _qualified(table.schema, table.name, dialect)


def _qualified(schema: str | None, name: str, dialect: str) -> str:
    return name if schema is None or schema == DEFAULT_SCHEMAS.get(dialect) else f"{schema}.{name}"


def read_tables(db: "Database", problems: list[str] | None = None) -> list[Table]:
    """Read every table of ``db`` in a few bulk catalog queries (never one per table)."""
    problems = [] if problems is None else problems
    if db.backend == "sqlite":
        return _read_sqlite(db, problems)
    if db.backend == "postgresql":
        from .dialects import postgres

        return postgres.read_tables(db)
    if db.backend in {"mysql", "mariadb"}:
        from .dialects import mysql

        return mysql.read_tables(db)
    if db.backend == "oracle":
        from .dialects import oracle

        return oracle.read_tables(db)
    return reflect_tables(db)


class _Draft:
    """A table being assembled from the rows of several catalog queries."""

    def __init__(self, schema: str | None, name: str, kind: str = "table"):
        self.schema, self.name, self.kind = schema, name, kind
        self.columns: list[tuple[str, str, bool, str | None]] = []
        self.primary_key: tuple[str, ...] = ()
        self.foreign_keys: list[ForeignKey] = []
        self.comment: str | None = None
        self.row_estimate: int | None = None

    def table(self) -> Table:
        pk = set(self.primary_key)
        columns = tuple(Column(name, type_, nullable, name in pk, comment)
                        for name, type_, nullable, comment in self.columns)
        return Table(self.name, columns, self.schema, self.primary_key, tuple(self.foreign_keys), self.comment,
                     self.row_estimate, extra={"kind": self.kind})


def _rows(conn: Any, sql: str, params: tuple = ()) -> list[tuple]:
    options = {} if params else {"no_parameters": True}  # keeps '%' in LIKE patterns literal
    result = conn.exec_driver_sql(sql, params or None, execution_options=options)
    # The driver's own fetchall: SQLAlchemy's Row objects double the cost on a 20,000-column catalog.
    return [tuple(row) for row in result.cursor.fetchall()] if result.returns_rows else []


_SQLITE_OBJECTS = r"m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'"
# sqlite_master rather than its newer alias sqlite_schema: the same table, readable by SQLite < 3.33.
_SQLITE_COLUMNS = ('SELECT m.name, m.type, p.name, p.type, p."notnull", p.pk '
                   "FROM sqlite_master AS m, pragma_table_info(m.name) AS p WHERE {where} ORDER BY m.name, p.cid")
_SQLITE_FOREIGN_KEYS = ('SELECT m.name, f.id, f."table", f."from", f."to" '
                        "FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f "
                        "WHERE m.type = 'table' ORDER BY m.name, f.id DESC, f.seq")  # SQLite numbers them last first
_SQLITE_HAS_STATS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
_SQLITE_STATS = "SELECT tbl, stat FROM sqlite_stat1"


def _read_sqlite(db: "Database", problems: list[str]) -> list[Table]:
    try:
        with db.reading() as conn:
            columns = _rows(conn, _SQLITE_COLUMNS.format(where=_SQLITE_OBJECTS))
            foreign_keys, stats = _sqlite_keys_and_stats(conn)
    except ExecutionError:
        # One view over a dropped table fails the bulk query; then read object by object, skipping the broken.
        columns = []
        with db.reading() as conn:
            names = [row[0] for row in _rows(conn, f"SELECT m.name FROM sqlite_master AS m WHERE {_SQLITE_OBJECTS}")]
            foreign_keys, stats = _sqlite_keys_and_stats(conn)
        for name in names:
            try:
                with db.reading() as conn:
                    columns += _rows(conn, _SQLITE_COLUMNS.format(where="m.name = ?"), (name,))
            except ExecutionError as exc:
                problems.append(f"{name}: {exc.message}")
    return _assemble_sqlite(columns, foreign_keys, stats)


def _assemble_sqlite(columns: list[tuple], foreign_keys: list[tuple], stats: dict[str, int]) -> list[Table]:
    drafts: dict[str, _Draft] = {}
    pk_positions: dict[str, list[tuple[int, str]]] = {}
    for table, kind, column, type_, notnull, pk in columns:
        draft = drafts.setdefault(table, _Draft(None, table, kind))
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
    foreign_keys = _rows(conn, _SQLITE_FOREIGN_KEYS)
    stats: dict[str, int] = {}
    if _rows(conn, _SQLITE_HAS_STATS):
        for table, stat in _rows(conn, _SQLITE_STATS):
            first = str(stat or "").split(" ", 1)[0]
            if first.isdigit():  # rows in the table (or in an index of it): the largest wins
                stats[table] = max(stats.get(table, 0), int(first))
    return foreign_keys, stats


def reflect_tables(db: "Database") -> list[Table]:
    """Any other dialect: SQLAlchemy's bulk ``get_multi_*`` reflection of the default schema."""
    from sqlalchemy import exc as sa_exc
    from sqlalchemy import inspect
    from sqlalchemy.engine.reflection import ObjectKind

    with db.reading() as conn:
        inspector = inspect(conn)
        objects = [(key, cols, "table") for key, cols in inspector.get_multi_columns(kind=ObjectKind.TABLE).items()]
        objects += [(key, cols, "view") for key, cols in inspector.get_multi_columns(kind=ObjectKind.VIEW).items()]
        primary_keys = inspector.get_multi_pk_constraint(kind=ObjectKind.TABLE)
        foreign_keys = inspector.get_multi_foreign_keys(kind=ObjectKind.TABLE)
        try:
            comments = inspector.get_multi_table_comment(kind=ObjectKind.TABLE)
        except NotImplementedError:
            comments = {}
        dialect = conn.dialect

    def type_name(type_: Any) -> str:
        try:
            return str(type_.compile(dialect=dialect))
        except sa_exc.CompileError:
            return type(type_).__name__.upper()

    tables = []
    for (schema, name), columns, kind in sorted(objects, key=lambda item: (item[2], item[0][1])):
        draft = _Draft(schema, name, kind)
        draft.columns = [(c["name"], type_name(c["type"]), bool(c.get("nullable", True)), c.get("comment"))
                         for c in columns]
        draft.primary_key = tuple((primary_keys.get((schema, name)) or {}).get("constrained_columns") or ())
        draft.comment = (comments.get((schema, name)) or {}).get("text")
        for fk in foreign_keys.get((schema, name), []):
            ref_schema = fk.get("referred_schema")
            ref = fk["referred_table"] if ref_schema in (None, schema) else f"{ref_schema}.{fk['referred_table']}"
            draft.foreign_keys.append(ForeignKey(tuple(fk["constrained_columns"]), ref,
                                                 tuple(fk["referred_columns"])))
        tables.append(draft.table())
    return tables


_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*\Z")
_RESERVED = frozenset(
    "all and any as asc between by case cast check column constraint create cross current_date current_time "
    "current_timestamp current_user default delete desc distinct do drop else end except exists false fetch for "
    "foreign from full grant group having in inner insert intersect into is join left like limit natural not null "
    "offset on only or order outer primary references right select session_user some table then to true union "
    "unique update user using values when where window with".split())
_BACKTICK_DIALECTS = {"mysql", "bigquery", "databricks", "hive", "spark", "clickhouse"}


def quote(name: str, dialect: str) -> str:
    """``name`` as an identifier of ``dialect``, quoted only when it has to be."""
    if _PLAIN.match(name) and name not in _RESERVED:
        return name
    mark = "`" if dialect in _BACKTICK_DIALECTS else '"'
    return mark + name.replace(mark, mark * 2) + mark


def render_ddl(tables: Sequence[Table], dialect: str, *, one_line: bool = False) -> str:
    """``CREATE TABLE`` statements for a prompt: types, keys, comments and row estimates.

    ``one_line``: each statement on one line, its column comments on the lines after it
    (``-- column: comment``); about a fifth fewer tokens than a column per line.
    """
    return ("\n" if one_line else "\n\n").join(_table_ddl(table, dialect, one_line) for table in tables)


def _table_ddl(table: Table, dialect: str, one_line: bool = False) -> str:
    def names(items: Iterable[str]) -> str:
        return ", ".join(quote(item, dialect) for item in items)

    lines = []
    kind = table.extra.get("kind", "table")
    notes = [_one_line(table.comment)] if table.comment else []
    if kind != "table":
        notes.insert(0, kind)
    if table.row_estimate is not None:
        notes.append(f"about {table.row_estimate:,} rows")
    lines += [f"-- {note}" for note in notes]
    name = ".".join(quote(part, dialect) for part in display_name(table, dialect).split(".", 1))
    lines.append(f"CREATE TABLE {name} (")
    items: list[tuple[str, str | None]] = []
    for column in table.columns:
        text = " ".join(part for part in (quote(column.name, dialect), column.type) if part)
        if not column.nullable and column.name not in table.primary_key:
            text += " NOT NULL"
        items.append((text, _one_line(column.comment) if column.comment else None))
    if table.primary_key:
        items.append((f"PRIMARY KEY ({names(table.primary_key)})", None))
    for fk in table.foreign_keys:
        ref = ".".join(quote(part, dialect) for part in fk.ref_table.split(".", 1))
        items.append((f"FOREIGN KEY ({names(fk.columns)}) REFERENCES {ref} ({names(fk.ref_columns)})", None))
    if one_line:
        lines[-1] += ", ".join(text for text, _ in items) + ");"
        lines += [f"-- {column.name}: {comment}" for column, (_, comment) in zip(table.columns, items) if comment]
        return "\n".join(lines)
    for index, (text, comment) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        lines.append(f"  {text}{comma}" + (f"  -- {comment}" if comment else ""))
    lines.append(");")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
