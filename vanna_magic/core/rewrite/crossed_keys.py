"""Crossed keys: see :func:`crossed_keys`."""

from __future__ import annotations

from ..query import ScopeView, is_row_key, resolve, value_kind


def crossed_keys(view: ScopeView) -> list[str]:
    """``organization AS o JOIN author AS a ON o.oid = a.aid``: each side is its own table's row key, so the
    join pairs an organization with the author that happens to share its number. When the second table
    has a column named after the first one's key (``author.oid``), or the other way round, and exactly one
    of the two exists with a matching kind of value, the join is put on it: ``o.oid = a.oid``.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl("CREATE TABLE organization (oid INT, name TEXT, continent TEXT); "
    ...     "CREATE TABLE author (aid INT, name TEXT, oid INT)")
    >>> sql, notes = rewrite("SELECT o.continent, COUNT(a.aid) FROM organization AS o JOIN author AS a "
    ...     "ON o.oid = a.aid GROUP BY o.continent", "sqlite", tables, rules=(crossed_keys,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT o.continent, COUNT(a.aid) FROM organization AS o JOIN author AS a ON o.oid = a.oid GROUP BY o.continent
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    join o.oid = a.aid compared the row keys of organization and author; a.oid, the author's own reference to
    organization, used instead of a.aid
    """
    from sqlglot import exp

    scope, table_types, by_name = view.scope, view.query.table_types, view.query.by_name
    own = {id(column) for column in scope.columns}
    notes: list[str] = []
    for eq in scope.expression.find_all(exp.EQ):
        left, right = eq.left, eq.right
        if not (isinstance(left, exp.Column) and isinstance(right, exp.Column) and left.table and right.table
                and id(left) in own and id(right) in own and eq.find_ancestor(exp.Select) is scope.expression
                and left.table.lower() != right.table.lower() and left.name.lower() != right.name.lower()):
            continue
        sides = []
        for column in (left, right):
            source = scope.sources.get(column.table) or next(
                (s for a, s in scope.sources.items() if a.lower() == column.table.lower()), None)
            table = by_name.get(source.name.lower()) if isinstance(source, exp.Table) else None
            found = resolve(column, scope, table_types)
            if table is None or found is None or not is_row_key(table, column.name, by_name):
                break
            sides.append((column, table, found[0]))
        if len(sides) != 2:
            continue
        fixes = []  # (the column to rename, the name it takes)
        for (this, this_table, this_types), (other, other_table, other_types) in (sides, sides[::-1]):
            key = other.name.lower()  # other's row key, as a column of this table: this table's reference
            if (key in this_types and not is_row_key(this_table, key, by_name)
                    and value_kind(this_types[key]) == value_kind(other_types[key])):
                fixes.append((this, other, this_table, other_table))
        if len(fixes) != 1:
            continue
        column, other, table, other_table = fixes[0]
        was = f"{column.table}.{column.name}"
        notes.append(f"join {left.sql()} = {right.sql()} compared the row keys of {sides[0][1].name} and "
                     f"{sides[1][1].name}; {column.table}.{other.name}, the {table.name}'s own reference to "
                     f"{other_table.name}, used instead of {was}")
        column.set("this", exp.to_identifier(other.name))
    return notes
