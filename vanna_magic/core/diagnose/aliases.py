"""Undefined aliases: see :func:`undefined_aliases`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..query import column_types, missing_tables, parse_scopes, tables_by_name, visible_names

if TYPE_CHECKING:
    from ..data.schema import Table



def undefined_aliases(sql: str, dialect: str, tables: Sequence["Table"] = ()) -> list[str]:
    """What a repair should be told about qualifiers that no table of the query carries.

    ``o.order_id`` where nothing in the query is called ``o`` means a table the model meant to
    join and did not; the database says only "no such column" or "missing FROM-clause entry".
    With ``tables`` (the catalog), a qualifier that names a table comes with the joins its keys allow.

    >>> sql = "SELECT r.name, SUM(o.total) FROM regions r JOIN customers c ON c.rid = r.id"
    >>> print(undefined_aliases(sql, "sqlite")[0])
    o (in o.total) names no table of the query's FROM or JOIN clauses: join the table it stands for
    """
    from sqlglot import exp

    parsed = parse_scopes(sql, dialect)
    if parsed is None:
        return []
    _, scopes = parsed
    table_types, by_name = column_types(tables), tables_by_name(tables)
    found: dict[str, str] = {}
    for scope in scopes:
        joins = {qualifier.name.lower(): (table, options)
                 for qualifier, table, options in missing_tables(scope, by_name, table_types, any_column=True)}
        visible = visible_names(scope)
        for column in scope.columns:
            qualifier = column.table
            if qualifier and qualifier.lower() not in visible and qualifier.lower() not in found:
                table, options = joins.get(qualifier.lower(), (None, []))
                ons = [exp.EQ(this=exp.column(s, table=alias), expression=exp.column(t, table=qualifier)).sql()
                       for alias, s, t in options[:3]]
                advice = (f"join {table.name}: JOIN {qualifier} ON " + " or ON ".join(ons) if ons
                          else "join the table it stands for")
                names = [c.name for c in table.columns] if table is not None else []
                if names and column.name.lower() not in {n.lower() for n in names}:
                    advice += f"; {table.name} has no column {column.name}: its columns are {', '.join(names)}"
                found[qualifier.lower()] = (f"{qualifier} (in {qualifier}.{column.name}) names no table of the "
                                            f"query's FROM or JOIN clauses: {advice}")
    return list(found.values())
