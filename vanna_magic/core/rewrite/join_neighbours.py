"""Join neighbours: see :func:`join_neighbours`."""

from __future__ import annotations

from ..query import (
    ScopeView,
    enclosing,
    filters,
    from_order,
    identifies,
    join_keys,
    keep_unambiguous,
    schema_of,
    visible_names,
)


def join_neighbours(view: ScopeView) -> list[str]:
    """``b.neighbourhood_name`` where ``b`` (business) has no such column and no table the query can see
    has one: when exactly one other table of the schema has it and one key links it to ``b``
    (``business_id``), that table is joined on the key and the column read from it.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE business (business_id TEXT PRIMARY KEY, name TEXT); CREATE TABLE '
    ...     'neighbourhood (id INT, business_id TEXT, neighbourhood_name TEXT)')
    >>> sql, notes = rewrite("SELECT b.name FROM business AS b WHERE b.neighbourhood_name = 'Downtown'",
    ...     "sqlite", tables, rules=(join_neighbours,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT b.name FROM business AS b JOIN neighbourhood ON b.business_id = neighbourhood.business_id
    WHERE neighbourhood.neighbourhood_name = 'Downtown'
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    column b.neighbourhood_name: business has no such column; neighbourhood has it and is joined on
    b.business_id = neighbourhood.business_id
    """
    from sqlglot import exp

    scope, by_name, table_types = view.scope, view.query.by_name, view.query.table_types
    select = scope.expression
    if not isinstance(select, exp.Select) or not from_order(select):
        return []
    if any(join.side in ("RIGHT", "FULL") for join in select.args.get("joins") or []):
        return []
    seen = [table_types(source) for outer in enclosing(scope) for source in outer.sources.values()]
    if None in seen:
        return []  # a derived table or CTE may have the column
    taken = visible_names(scope, table_names=True)
    added: dict[tuple[str, str], str] = {}  # (qualifier, column) -> the table joined for it
    notes: list[str] = []
    for column in scope.columns:
        qualifier, name = column.table.lower(), column.name.lower()
        source = next((s for a, s in scope.sources.items() if a.lower() == qualifier), None)
        if not qualifier or name == "*" or not isinstance(source, exp.Table):
            continue
        if (qualifier, name) in added:
            column.set("table", exp.to_identifier(added[qualifier, name]))
            continue
        if any(name in types for types in seen if types is not None):
            continue  # some table of the query has it: the rules above, or the repair, place it
        options = [(table, s, t) for table in by_name.values()
                   if table.name.lower() not in taken and name in {c.name.lower() for c in table.columns}
                   for s, t in join_keys(source, table, table_types, by_name)]
        if len(options) != 1:
            continue  # no table, or several: which one was meant is not known
        table, s, t = options[0]
        uses = [c for c in scope.columns if c.table.lower() == qualifier and c.name.lower() == name]
        if not (identifies(table, t, by_name) or all(filters(use, select) for use in uses)):
            continue  # several rows of the table may match each row: only a filter keeps its meaning
        on = exp.EQ(this=exp.column(s, table=column.table), expression=exp.column(t, table=table.name))
        joined = exp.Table(this=exp.to_identifier(table.name), db=schema_of(table))
        select.join(joined, on=on, copy=False)
        notes.append(f"column {column.table}.{column.name}: {source.name} has no such column; {table.name} has it "
                     f"and is joined on {on.sql()}")
        column.set("table", exp.to_identifier(table.name))
        added[qualifier, name] = table.name
        taken.add(table.name.lower())
        seen.append(table_types(joined))
    if notes:  # a table the query did not have must not make a column of it ambiguous
        keep_unambiguous(scope, view.columns_of, table_types)
    return notes
