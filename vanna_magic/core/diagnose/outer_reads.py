"""Outer reads: see :func:`outer_reads`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from ..query import column_types, parse_scopes, tables_by_name

if TYPE_CHECKING:
    from ..data.schema import Table

IN_LIST = re.compile(r"\bIN\s*\(", re.IGNORECASE)  # the usual answer has none: no catalog, no parse


def outer_reads(sql: str, dialect: str, tables: Sequence["Table"]) -> list[str]:
    """What a repair should be told about IN subqueries that select a column of the query around them.

    ``WHERE aid NOT IN (SELECT aid FROM organization)``, where organization has no ``aid`` but the
    outer table does, is valid SQL: the subquery selects the outer row's ``aid`` once per row of
    organization, so the condition tests the outer row against itself (the same for every row) or,
    with another column on the left, against another of its own columns; either way the query runs
    and answers a question nobody asked. A subquery's WHERE may rightly read the query around it (a
    correlated subquery); the column an IN subquery selects, never. Only subqueries whose tables are
    all in the catalog are read; names of columns only, never data.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> tables = tables_from_ddl("CREATE TABLE author (aid INT, oid INT); "
    ...                          "CREATE TABLE organization (oid INT, name TEXT)")
    >>> sql = "SELECT aid FROM author WHERE aid NOT IN (SELECT aid FROM organization)"
    >>> print(outer_reads(sql, "sqlite", tables)[0])
    organization has no column aid (its columns are oid, name): the IN subquery selects the outer query's aid, \
not a column of its own tables
    >>> outer_reads("SELECT aid FROM author WHERE oid IN (SELECT oid FROM organization)", "sqlite", tables)
    []
    """
    from sqlglot import exp

    if not IN_LIST.search(sql or ""):
        return []
    parsed = parse_scopes(sql, dialect)
    if parsed is None:
        return []
    _, scopes = parsed
    table_types, by_name = column_types(tables), tables_by_name(tables)
    lines: list[str] = []
    for scope in scopes:
        select = scope.expression
        if not isinstance(select, exp.Select) or scope.parent is None:
            continue
        owner = select.parent.parent if isinstance(select.parent, exp.Subquery) else select.parent
        if not isinstance(owner, exp.In) or owner.args.get("query") is None or len(select.expressions) != 1:
            continue
        own = {alias.lower(): table_types(source) for alias, source in scope.sources.items()}
        if not own or any(columns is None for columns in own.values()):
            continue  # a derived table or CTE, or a table the catalog lacks: its columns are not known here
        picked = select.expressions[0].unalias()
        for column in picked.find_all(exp.Column):
            name, qualifier = column.name.lower(), column.table.lower()
            if qualifier in own or any(name in columns for columns in own.values()):
                continue
            outer = scope.parent
            if not any((not qualifier or alias.lower() == qualifier) and name in (table_types(source) or {})
                       for alias, source in outer.sources.items()):
                continue  # no column of the query around it either: the database will say so
            names = [source.name for source in scope.sources.values() if isinstance(source, exp.Table)]
            if len(names) == 1 and names[0].lower() in by_name:
                held = ", ".join(c.name for c in by_name[names[0].lower()].columns)
                said = f"{names[0]} has no column {column.name} (its columns are {held})"
            else:
                said = f"none of the subquery's tables ({', '.join(names)}) has a column {column.name}"
            lines.append(f"{said}: the IN subquery selects the outer query's {column.name}, not a column of its "
                         f"own tables")
    return lines
