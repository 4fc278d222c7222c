"""Tables as the engine sees them: columns, keys, comments and row estimates, and their ``CREATE TABLE`` text.

The value types every part reads (:class:`Table`, :class:`Column`, :class:`ForeignKey`), what a
dialect's catalog reader assembles them with (:class:`TableDraft`, :func:`fetch_rows`), and
:func:`render_ddl`, the compact ``CREATE TABLE`` text a prompt shows the model.

>>> t = Table("orders", (Column("id", "INTEGER", nullable=False), Column("total", "REAL")), primary_key=("id",))
>>> print(render_ddl([t], "sqlite"))
CREATE TABLE orders (
  id INTEGER,
  total REAL,
  PRIMARY KEY (id)
);
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence


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
DEFAULT_SCHEMAS = {"sqlite": "main", "postgres": "public", "tsql": "dbo", "duckdb": "main"}


def display_name(table: Table, dialect: str) -> str:
    """The table's name as SQL should write it: qualified only outside the default schema."""
    return qualified(table.schema, table.name, dialect)


def qualified(schema: str | None, name: str, dialect: str) -> str:
    """``schema.name``, or ``name`` alone in the dialect's default schema (or without a schema)."""
    return name if schema is None or schema == DEFAULT_SCHEMAS.get(dialect) else f"{schema}.{name}"


class TableDraft:
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


def fetch_rows(conn: Any, sql: str, params: tuple = ()) -> list[tuple]:
    """The rows of one catalog query, as tuples (``params`` bound; none: ``%`` stays literal)."""
    options = {} if params else {"no_parameters": True}  # keeps '%' in LIKE patterns literal
    result = conn.exec_driver_sql(sql, params or None, execution_options=options)
    # The driver's own fetchall: SQLAlchemy's Row objects double the cost on a 20,000-column catalog.
    return [tuple(row) for row in result.cursor.fetchall()] if result.returns_rows else []


_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*\Z")
_RESERVED = frozenset(
    "all and any as asc between by case cast check column constraint create cross current_date current_time "
    "current_timestamp current_user default delete desc distinct do drop else end except exists false fetch for "
    "foreign from full grant group having in inner insert intersect into is join left like limit natural not null "
    "offset on only or order outer primary references right select session_user some table then to true union "
    "unique update user using values when where window with".split())
_BACKTICK_DIALECTS = {"mysql", "bigquery", "databricks", "hive", "spark", "clickhouse"}


def quote(name: str, dialect: str) -> str:
    """``name`` as an identifier of ``dialect``, quoted only when it has to be (a name the catalog marks
    quoted, SQLAlchemy's ``quoted_name``, always is: Oracle's ``"notes"`` is not ``notes``)."""
    if _PLAIN.match(name) and name not in _RESERVED and getattr(name, "quote", None) is not True:
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
    parts = (table.name,) if display_name(table, dialect) == table.name else (table.schema or "", table.name)
    name = ".".join(quote(part, dialect) for part in parts)
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
        ref = ".".join(quote(part, dialect) for part in (fk.ref_table.split(".", 1) if "." in fk.ref_table
                                                           else (fk.ref_table,)))
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


def tables_from_ddl(ddl: str, dialect: str = "sqlite") -> list[Table]:
    """Tables from ``CREATE TABLE`` statements: columns and types, primary and foreign keys (for examples,
    tests and fixture files; a connection's tables come from its catalog).

    >>> [(t.name, [c.name for c in t.columns], t.foreign_keys) for t in tables_from_ddl(
    ...     "CREATE TABLE a (id INT PRIMARY KEY); CREATE TABLE b (a_id INT REFERENCES a (id), note TEXT)")]
    [('a', ['id'], ()), ('b', ['a_id', 'note'], (ForeignKey(columns=('a_id',), ref_table='a', ref_columns=('id',)),))]
    """
    import sqlglot
    from sqlglot import exp

    tables = []
    for statement in sqlglot.parse(ddl, read=dialect):
        if not isinstance(statement, exp.Create) or not isinstance(statement.this, exp.Schema):
            continue
        target = statement.this.this
        draft = TableDraft(target.db or None, target.name)
        for item in statement.this.expressions:
            if isinstance(item, exp.ColumnDef):
                kinds = [c.kind for c in item.constraints]
                draft.columns.append((item.name, item.args["kind"].sql(dialect) if item.args.get("kind") else "",
                                      not any(isinstance(k, exp.NotNullColumnConstraint) for k in kinds), None))
                if any(isinstance(k, exp.PrimaryKeyColumnConstraint) for k in kinds):
                    draft.primary_key += (item.name,)
                for reference in (k for k in kinds if isinstance(k, exp.Reference)):
                    ref = reference.this
                    draft.foreign_keys.append(ForeignKey((item.name,), ref.this.name,
                                                         tuple(c.name for c in ref.expressions)))
            elif isinstance(item, exp.PrimaryKey):
                draft.primary_key = tuple(c.name for c in item.expressions)
            elif isinstance(item, exp.ForeignKey):
                ref = item.args["reference"].this
                draft.foreign_keys.append(ForeignKey(tuple(c.name for c in item.expressions), ref.this.name,
                                                     tuple(c.name for c in ref.expressions)))
        tables.append(draft.table())
    return tables
