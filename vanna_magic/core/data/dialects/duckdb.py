"""DuckDB: the catalog from DuckDB's own catalog functions in two queries, errors read by their type.

DuckDB is reached through its own Python API (:mod:`vanna_magic.core.data.duckdb_database`), not
SQLAlchemy: duckdb-engine's reflection fails under SQLAlchemy 2.1, and the Python API is what
registers DataFrames without copying them and returns results as Arrow. Tables, views and their
columns (types, comments, row estimates) come from ``duckdb_columns()`` joined to
``duckdb_tables()`` and ``duckdb_views()``; keys from ``duckdb_constraints()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..schema import ForeignKey, TableDraft, fetch_rows
from .base import Dialect

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from ..schema import Table

CONNECT_HINT = ("Check that the path names a DuckDB database file you may read, not opened for writing by another "
                "process (databases are never created).")
# The database the connection opened and the temporary objects (registered DataFrames, file views).
_OBJECTS = """
SELECT c.schema_name, c.table_name, CASE WHEN v.view_oid IS NULL THEN 'table' ELSE 'view' END,
       coalesce(t.comment, v.comment), t.estimated_size, c.column_name, c.data_type, c.is_nullable, c.comment
FROM duckdb_columns() AS c
LEFT JOIN duckdb_tables() AS t ON t.table_oid = c.table_oid
LEFT JOIN duckdb_views() AS v ON v.view_oid = c.table_oid
WHERE NOT c.internal AND (c.database_name = current_database() OR c.database_name = 'temp')
ORDER BY c.database_name = 'temp', c.schema_name, c.table_name, c.column_index
"""
_KEYS = """
SELECT schema_name, table_name, constraint_type, constraint_column_names, referenced_table, referenced_column_names
FROM duckdb_constraints()
WHERE constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY') AND database_name = current_database()
ORDER BY schema_name, table_name, constraint_index
"""


class DuckDB(Dialect):
    name, title, plan_prefix = "duckdb", "DuckDB", "EXPLAIN "

    def read_tables(self, db: Any, problems: list[str]) -> "list[Table]":
        return read_tables(db, problems)

    def error_code(self, orig: Any) -> str | None:
        # DuckDB's errors carry no SQLSTATE; their type is the code (BinderException, CatalogException...).
        return type(orig).__name__

    def connect_hint(self, url: "URL") -> str:
        return CONNECT_HINT


def read_tables(db: Any, problems: list[str]) -> "list[Table]":
    """Every table and view of the database and the session's registered sources, in two queries."""
    with db.reading() as conn:
        columns = fetch_rows(conn, _OBJECTS)
        keys = fetch_rows(conn, _KEYS)
    notes = getattr(db, "notes", {})  # registered DataFrames and files: what they are, how many rows
    drafts: dict[tuple[str, str], TableDraft] = {}
    for schema, table, kind, comment, estimate, column, type_, nullable, column_comment in columns:
        draft = drafts.get((schema, table))
        if draft is None:
            draft = drafts[(schema, table)] = TableDraft(schema, table, kind)
            draft.comment = comment or None
            draft.row_estimate = int(estimate) if estimate is not None and kind == "table" else None
            if table in notes:  # a DataFrame or a file: a view to DuckDB, a table of data to the person asking
                draft.kind = "table"
                draft.comment, draft.row_estimate = notes[table]
        draft.columns.append((column, type_ or "", bool(nullable), column_comment or None))
    by_name = {(schema, table.lower()): draft for (schema, table), draft in drafts.items()}
    for schema, table, kind, columns_, ref_table, ref_columns in keys:
        draft = drafts.get((schema, table))
        if draft is None:
            continue
        if kind == "PRIMARY KEY":
            draft.primary_key = tuple(columns_)
        else:
            ref = by_name.get((schema, str(ref_table).lower()))
            draft.foreign_keys.append(ForeignKey(tuple(columns_), ref.name if ref else ref_table, tuple(ref_columns)))
    return [draft.table() for draft in drafts.values()]
