"""The schema of a connection, read once and cached: tables, columns, keys, comments, row estimates.

Each dialect reads it in a few bulk catalog queries (never one query per table, see
:mod:`vanna_magic.core.data.dialects`); the types are :mod:`vanna_magic.core.data.schema`'s.
"""

from __future__ import annotations

import difflib
import threading
from typing import TYPE_CHECKING

from ..errors import VannaError
from .dialects import for_backend
from .schema import DEFAULT_SCHEMAS, Table, display_name

if TYPE_CHECKING:
    from .database import Database
    from .duckdb_database import DuckDBDatabase
    from .schema_filter import SchemaFilter


class Catalog:
    """The tables of one :class:`~vanna_magic.core.data.database.Database`, read once and cached.

    ``problems`` names objects that could not be read (e.g. a view over a dropped table).
    """

    def __init__(self, db: "Database | DuckDBDatabase", schemas: "SchemaFilter | None" = None):
        self.db = db
        self.schemas = schemas
        self.problems: list[str] = []
        self._tables: list[Table] | None = None
        self._lock = threading.Lock()
        self._version: int | None = None
        self.generation = 0  # how many times the catalog was read; caches derived from it compare this

    def tables(self, *, refresh: bool = False) -> list[Table]:
        """Every table and view reachable without naming a database (PostgreSQL: the search path)."""
        # A database whose objects change under it (DuckDB's registered DataFrames) says so by its version.
        version = getattr(self.db, "version", None)
        with self._lock:
            if self._tables is None or refresh or version != self._version:
                problems: list[str] = []
                self._tables = read_tables(self.db, problems, self.schemas)
                self._version = version
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


def read_tables(db: "Database | DuckDBDatabase", problems: list[str] | None = None,
                schemas: "SchemaFilter | None" = None) -> list[Table]:
    """Read every table of ``db`` in a few bulk catalog queries (never one per table), within ``query_timeout``
    on the client too; ``schemas``: of the schemas it allows (:mod:`vanna_magic.core.data.schema_filter`)."""
    dialect, problems = for_backend(db.backend), [] if problems is None else problems
    return db.bounded(lambda: dialect.read_tables(db, problems) if schemas is None
                      else dialect.read_schemas(db, problems, schemas))
