"""Column references the model put on the wrong table, put back on the only table that has them.

A small model often writes the right column on the wrong alias (``T2.rating`` where ``rating``
is ``T1``'s) or names a table that its query aliased (``review.rating`` after
``FROM review AS r``). The database then answers "no such column", and the model, asked to
repair, often repeats itself. When exactly one table of the same query (the same scope) has the
column, the reference is unambiguous and is moved there before the statement runs; anything
else is left for the database and the repair loop. Nothing is guessed: no column is renamed,
no table is added.

>>> from vanna_magic.core.catalog import Column, Table
>>> tables = [Table("restaurant", (Column("id", "INTEGER"), Column("rating", "REAL"))),
...           Table("location", (Column("restaurant_id", "INTEGER"), Column("city_name", "TEXT")))]
>>> sql = "SELECT T2.city_name, AVG(T2.rating) FROM restaurant AS T1 JOIN location AS T2 ON T1.id = T2.restaurant_id"
>>> fixed, notes = requalify(sql, "sqlite", tables)
>>> fixed
'SELECT T2.city_name, AVG(T1.rating) FROM restaurant AS T1 JOIN location AS T2 ON T1.id = T2.restaurant_id'
>>> notes
['T2.rating read from T1 (restaurant), the only table of its query with a column rating']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.optimizer.scope import Scope

    from .catalog import Table


def _scopes(sql: str, dialect: str) -> "tuple[exp.Expression, list[Scope]] | None":
    """The parsed statement and its scopes (query, subqueries, CTEs); None when it does not parse."""
    import sqlglot
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.scope import traverse_scope

    from .firewall.parsing import quiet_sqlglot, sqlglot_dialect

    try:
        with quiet_sqlglot():
            tree = sqlglot.parse_one(sql, read=sqlglot_dialect(dialect))
            return tree, traverse_scope(tree)
    except (SqlglotError, RecursionError, KeyError, ValueError):
        return None


def requalify(sql: str, dialect: str, tables: Sequence["Table"]) -> tuple[str, list[str]]:
    """``sql`` with misplaced column references moved (see the module docstring), and one note per move.

    SQL that does not parse, or that needs no change, comes back unchanged with no notes.
    """
    from sqlglot import exp
    from sqlglot.optimizer.scope import Scope

    from .firewall.parsing import sqlglot_dialect

    parsed = _scopes(sql, dialect)
    if parsed is None:
        return sql, []
    tree, scopes = parsed
    columns_of: dict[str, set[str]] = {}
    for table in tables:
        names = {c.name.lower() for c in table.columns}
        columns_of.setdefault(table.name.lower(), names)
        if table.schema:
            columns_of.setdefault(f"{table.schema}.{table.name}".lower(), names)

    def source_columns(source: object) -> set[str] | None:
        if isinstance(source, exp.Table):
            key = ".".join(part for part in (source.db, source.name) if part).lower()
            return columns_of.get(key) or columns_of.get(source.name.lower())
        if isinstance(source, Scope) and isinstance(source.expression, exp.Query):
            return {name.lower() for name in source.expression.named_selects}
        return None

    notes: list[str] = []
    for scope in scopes:
        known = {alias.lower(): (alias, source_columns(source)) for alias, source in scope.sources.items()}
        for column in scope.columns:
            qualifier, name = column.table.lower(), column.name.lower()
            if not qualifier or name == "*":
                continue
            alias, have = known.get(qualifier, (None, None))
            if alias is not None and (have is None or name in have):
                continue  # right where it is, or a source whose columns are unknown
            if alias is None:  # a table name its query aliased: FROM review AS r ... review.rating
                same = [a for a, source in scope.sources.items()
                        if isinstance(source, exp.Table) and source.name.lower() == qualifier]
                candidates = same if len(same) == 1 and name in (known[same[0].lower()][1] or set()) else []
            else:
                candidates = [a for a, (_, cols) in ((a, known[a.lower()]) for a in scope.sources)
                              if cols is not None and name in cols]
            if len(candidates) != 1:
                continue
            target = candidates[0]
            source = scope.sources[target]
            label = f" ({source.name})" if isinstance(source, exp.Table) and source.name != target else ""
            notes.append(f"{column.table}.{column.name} read from {target}{label}, the only table of its query "
                         f"with a column {column.name}")
            column.set("table", exp.to_identifier(target))
    if not notes:
        return sql, []
    return tree.sql(dialect=sqlglot_dialect(dialect), pretty="\n" in sql.strip()), notes


def undefined_aliases(sql: str, dialect: str) -> list[str]:
    """What a repair should be told about qualifiers that no table of the query carries.

    ``o.order_id`` where nothing in the query is called ``o`` means a table the model meant to
    join and did not; the database says only "no such column" or "missing FROM-clause entry".

    >>> sql = "SELECT r.name, SUM(o.total) FROM regions r JOIN customers c ON c.rid = r.id"
    >>> print(undefined_aliases(sql, "sqlite")[0])
    o (in o.total) names no table of the query's FROM or JOIN clauses: join the table it stands for
    """
    parsed = _scopes(sql, dialect)
    if parsed is None:
        return []
    _, scopes = parsed
    found: dict[str, str] = {}
    for scope in scopes:
        visible: set[str] = set()
        outer = scope
        while outer is not None:  # a correlated subquery may name the tables of the queries around it
            visible |= {alias.lower() for alias in outer.sources}
            outer = outer.parent
        for column in scope.columns:
            qualifier = column.table
            if qualifier and qualifier.lower() not in visible and qualifier.lower() not in found:
                found[qualifier.lower()] = (f"{qualifier} (in {qualifier}.{column.name}) names no table of the "
                                            "query's FROM or JOIN clauses: join the table it stands for")
    return list(found.values())
