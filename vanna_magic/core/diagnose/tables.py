"""Unknown tables: see :func:`unknown_tables`."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Sequence

from ..query import parse_scopes

if TYPE_CHECKING:
    from ..data.schema import Table

LISTED = 30  # up to this many tables, the repair is told all of them; beyond, the closest names


def unknown_tables(sql: str, dialect: str, tables: Sequence["Table"]) -> list[str]:
    """What a repair should be told about tables the catalog does not have: the tables there are.

    The database says "no such table" or "relation does not exist"; a small model, told only that,
    often invents another name. This lists the tables the model may use (all of them in a small schema,
    the closest names in a big one). Names only, never data.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> tables = tables_from_ddl("CREATE TABLE flight (id INT); CREATE TABLE airline (code TEXT)")
    >>> print(unknown_tables("SELECT COUNT(*) FROM flights", "sqlite", tables)[0])
    there is no table flights; the tables are flight, airline
    """
    from sqlglot import exp

    parsed = parse_scopes(sql, dialect)
    if parsed is None or not tables:
        return []
    tree, _ = parsed
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    known = {t.name.lower() for t in tables} | {f"{t.schema}.{t.name}".lower() for t in tables if t.schema}
    names = [t.name if not t.schema or t.schema in ("public", "main") else f"{t.schema}.{t.name}" for t in tables]
    found: list[str] = []
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue  # a table function
        written = ".".join(part for part in (table.db, table.name) if part)
        if table.name.lower() in ctes or written.lower() in known or (not table.db and table.name.lower() in known):
            continue
        if len(names) <= LISTED:
            line = f"there is no table {written}; the tables are {', '.join(names)}"
        else:
            close = difflib.get_close_matches(written.lower(), [n.lower() for n in names], n=5, cutoff=0.4)
            shown = [n for n in names if n.lower() in close]
            line = f"there is no table {written}" + (f"; the closest are {', '.join(shown)}" if shown else "")
        if line not in found:
            found.append(line)
    return found
