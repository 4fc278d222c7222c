"""Join named tables: see :func:`join_named_tables`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..query import (
    ScopeView,
    filters,
    from_order,
    join_keys,
    joined_on,
    keep_unambiguous,
    missing_tables,
    schema_of,
    visible_names,
)

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.optimizer.scope import Scope

    from ..data.schema import Table


def join_named_tables(view: ScopeView) -> list[str]:
    """Join the table a column names when the query never joined it and one key links it (see above).

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE paper (paperid INT, title TEXT, journalid INT); CREATE TABLE '
    ...     'journal (journalid INT, journalname TEXT)')
    >>> sql, notes = rewrite("SELECT paper.title FROM paper WHERE journal.journalname = 'Nature'",
    ...     "sqlite", tables, rules=(join_named_tables,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT paper.title FROM paper JOIN journal ON paper.journalid = journal.journalid WHERE
    journal.journalname = 'Nature'
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    table journal was named but not joined: joined on paper.journalid = journal.journalid
    """
    from sqlglot import exp

    scope, by_name, table_types = view.scope, view.query.by_name, view.query.table_types
    notes: list[str] = []
    for qualifier, table, joins in missing_tables(scope, by_name, table_types):
        if not joins:
            notes += _join_through_bridge(scope, qualifier, table, by_name, table_types)
            continue
        if len({(s, t) for _, s, t in joins}) != 1 or not joined_on(scope, [a for a, _, _ in joins], joins[0][1]):
            continue  # several keys that could mean different rows: the repair hint lists them
        alias, s, t = joins[0]  # the first table of the FROM order that has the key
        on = exp.EQ(this=exp.column(s, table=alias), expression=exp.column(t, table=qualifier.copy()))
        scope.expression.join(exp.Table(this=qualifier.copy(), db=schema_of(table)), on=on, copy=False)
        notes.append(f"table {qualifier.name} was named but not joined: joined on {on.sql()}")
    if notes:  # a table the query did not have must not make a column of it ambiguous
        keep_unambiguous(scope, view.columns_of, table_types)
    return notes


def _join_through_bridge(scope: "Scope", qualifier: "exp.Identifier", table: "Table", by_name: dict[str, "Table"],
                         table_types) -> list[str]:
    """``keyphrase.keyphrasename`` in the WHERE of a query on ``paper``, with no key between them: joined through
    the one table that links both (``paperkeyphrase``: ``paperid``, ``keyphraseid``), when only the WHERE
    reads it (a filter: the rows of a many-to-many link would otherwise be counted)."""
    from sqlglot import exp

    select = scope.expression
    name = qualifier.name.lower()
    uses = [c for c in scope.columns if c.table.lower() == name]
    if not uses or not all(filters(use, select) for use in uses):
        return []
    taken = visible_names(scope, table_names=True)
    sources = [s for s in from_order(select) if isinstance(s, exp.Table)]
    routes = []
    for bridge in by_name.values():
        if bridge.name.lower() in taken or bridge.name.lower() == name:
            continue
        node = exp.Table(this=exp.to_identifier(bridge.name), db=schema_of(bridge))
        onward = join_keys(node, table, table_types, by_name)
        if onward:
            routes += [(source, bridge, node, first, second) for source in sources
                       for first in join_keys(source, bridge, table_types, by_name) for second in onward]
    if len({(bridge.name, first, second) for _, bridge, _, first, second in routes}) != 1:
        return []  # no route, or several that may find different rows
    source, bridge, node, (s, b), (b2, t) = routes[0]
    if not joined_on(scope, list(dict.fromkeys(r[0].alias_or_name for r in routes)), s):
        return []  # two tables of the query have the key and are not joined on it
    first = exp.EQ(this=exp.column(s, table=source.alias_or_name), expression=exp.column(b, table=bridge.name))
    second = exp.EQ(this=exp.column(b2, table=bridge.name), expression=exp.column(t, table=qualifier.copy()))
    select.join(node, on=first, copy=False)
    select.join(exp.Table(this=qualifier.copy(), db=schema_of(table)), on=second, copy=False)
    return [f"table {qualifier.name} was named but not joined: joined through {bridge.name} on {first.sql()} "
            f"and {second.sql()}"]
