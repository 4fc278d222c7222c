"""What a repair prompt adds to a "no such column" error: where the column really is, from the catalog.

Small models often put a right column on the wrong table alias (``T2.rating`` where ``T2`` is
``location``) and repeat the mistake when told only the database's message. The hint names
the alias's table and its columns, and the tables that do hold a column of that name (or
close names). Only schema names are used, never data, and only tables the role may see.

>>> from vanna_magic.core.catalog import Column, Table
>>> tables = [Table("restaurant", (Column("id", "INTEGER"), Column("rating", "REAL"))),
...           Table("location", (Column("restaurant_id", "INTEGER"), Column("city_name", "TEXT")))]
>>> sql = "SELECT T2.rating FROM restaurant AS T1 JOIN location AS T2 ON T1.id = T2.restaurant_id"
>>> print(missing_column_hint(sql, "no such column: T2.rating", tables, "sqlite"))
T2 is location, whose columns are: restaurant_id, city_name. A column named rating is in: restaurant.rating.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .catalog import Table

MAX_COLUMNS = 30  # columns listed for the alias's table
MAX_PLACES = 6  # tables listed as holding the column

# The database's message for a missing column, per engine: (qualifier, column).
_MISSING = [
    re.compile(r"no such column: (?:(\w+)\.)?(\w+)"),  # SQLite
    re.compile(r'column "?(?:(\w+)\.)?(\w+)"? does not exist'),  # PostgreSQL
    re.compile(r"Unknown column '(?:(\w+)\.)?(\w+)'"),  # MySQL / MariaDB
    re.compile(r'ORA-00904: (?:"(\w+)"\.)?"(\w+)"'),  # Oracle
]


def missing_column_hint(sql: str, error: str, tables: list["Table"], dialect: str) -> str | None:
    """A sentence or two saying where the missing column of ``error`` is; None when it is not that error."""
    for pattern in _MISSING:
        found = pattern.search(error or "")
        if found:
            qualifier, column = found.group(1), found.group(2)
            break
    else:
        return None
    by_name = {t.name.lower(): t for t in tables}
    parts = []
    if qualifier:
        table = by_name.get(qualifier.lower()) or by_name.get((_alias_target(sql, qualifier, dialect) or "").lower())
        if table is not None:
            names = [c.name for c in table.columns]
            more = f" (and {len(names) - MAX_COLUMNS} more)" if len(names) > MAX_COLUMNS else ""
            shown = ", ".join(names[:MAX_COLUMNS])
            parts.append(f"{qualifier} is {table.name}, whose columns are: {shown}{more}." if qualifier.lower()
                         != table.name.lower() else f"{table.name} has the columns: {shown}{more}.")
    places = [f"{t.name}.{c.name}" for t in tables for c in t.columns if c.name.lower() == column.lower()]
    if places:
        parts.append(f"A column named {column} is in: {', '.join(places[:MAX_PLACES])}.")
    else:
        every = {f"{t.name}.{c.name}": c.name.lower() for t in tables for c in t.columns}
        close = difflib.get_close_matches(column.lower(), sorted(set(every.values())), n=3, cutoff=0.6)
        similar = [qualified for qualified, name in every.items() if name in close][:MAX_PLACES]
        parts.append(f"No table has a column named {column}"
                     + (f"; similar columns: {', '.join(similar)}." if similar else "."))
    return " ".join(parts)


def _alias_target(sql: str, alias: str, dialect: str) -> str | None:
    """The table an alias stands for in ``sql`` (any scope), or None."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError, ValueError):
        return None
    for table in tree.find_all(exp.Table):
        if table.alias and table.alias.lower() == alias.lower():
            return table.name
    return None
