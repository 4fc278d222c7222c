"""Misplaced columns: see :func:`misplaced_columns`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..query import ScopeView, enclosing, visible_names

if TYPE_CHECKING:
    from sqlglot import exp


def misplaced_columns(view: ScopeView) -> list[str]:
    """A column on the wrong table of its query (``T2.rating`` where only ``T1`` has ``rating``), on a table
    name its query aliased (``review.rating`` after ``FROM review AS r``) or on a qualifier that names
    nothing (``f.round_trip_cost`` with ``FROM fare``): moved to the one table of the same scope that has it,
    when exactly one has it; anything else is left for the database and the repair loop.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE restaurant (id INT, rating REAL); CREATE TABLE location '
    ...     '(restaurant_id INT, city_name TEXT)')
    >>> sql, notes = rewrite('SELECT T2.city_name, T2.rating FROM restaurant AS T1 JOIN location AS T2 ON '
    ...     'T1.id = T2.restaurant_id', "sqlite", tables, rules=(misplaced_columns,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT T2.city_name, T1.rating FROM restaurant AS T1 JOIN location AS T2 ON T1.id = T2.restaurant_id
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    column T2.rating read from T1 (restaurant), the only table of its query with a column rating
    """
    from sqlglot import exp

    scope, known, by_name = view.scope, view.known, view.query.by_name
    notes: list[str] = []
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
            if (not same and qualifier not in by_name and qualifier not in visible_names(scope, table_names=True)
                    and column.find_ancestor(exp.Select) is scope.expression):
                # a qualifier that names nothing at all (f for fare, flight_stops for flight_stop)
                # (and no query around it has the column: it might be a correlated reference)
                columns = [(a, known[a.lower()][1]) for a in scope.sources]
                around = [view.query.source_columns(source) for outer in enclosing(scope)[1:]
                          for source in outer.sources.values()]
                candidates = ([a for a, cols in columns if name in cols]
                              if all(cols is not None for _, cols in columns)
                              and not any(cols is None or name in cols for cols in around) else [])
        else:
            candidates = [a for a, (_, cols) in ((a, known[a.lower()]) for a in scope.sources)
                          if cols is not None and name in cols]
        if len(candidates) != 1 or _compares_with_itself(column, candidates[0]):
            continue
        target = candidates[0]
        source = scope.sources[target]
        label = f" ({source.name})" if isinstance(source, exp.Table) and source.name != target else ""
        notes.append(f"column {column.table}.{column.name} read from {target}{label}, the only table of its query "
                     f"with a column {column.name}")
        column.set("table", exp.to_identifier(target))
    return notes


def _compares_with_itself(column: "exp.Column", target: str) -> bool:
    """Whether moving ``column`` to ``target`` would compare it with itself: ``JOIN keyword AS k ON d.did = k.did``
    where only ``d`` has ``did`` would become ``d.did = d.did``, true for every pair of rows; the join the model
    meant is not known, so the query is left for the database and the repair loop."""
    from sqlglot import exp

    parent = column.parent
    if not isinstance(parent, (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ)):
        return False
    other = parent.right if parent.left is column else parent.left
    return (isinstance(other, exp.Column) and other.name.lower() == column.name.lower()
            and other.table.lower() == target.lower())
