"""Ungroup aggregates: see :func:`ungroup_aggregates`."""

from __future__ import annotations

from ..query import ScopeView


def ungroup_aggregates(view: ScopeView) -> list[str]:
    """``GROUP BY weekend_checkins`` where ``weekend_checkins`` is ``SUM(...)`` of the same SELECT (and no
    table's column): no database groups by an aggregate, so the item is left out of the GROUP BY
    (and the GROUP BY with it when nothing else is grouped).

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE checkin (business_id TEXT, count INT)')
    >>> sql, notes = rewrite('SELECT business_id, SUM(count) AS visits FROM checkin GROUP BY business_id, '
    ...     'visits', "sqlite", tables, rules=(ungroup_aggregates,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT business_id, SUM(count) AS visits FROM checkin GROUP BY business_id
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    visits left out of GROUP BY: an aggregate cannot be grouped by
    """
    from sqlglot import exp

    scope, columns_of = view.scope, view.columns_of
    select = scope.expression
    group = select.args.get("group") if isinstance(select, exp.Select) else None
    if group is None or None in columns_of.values():
        return []
    real = set().union(*columns_of.values()) if columns_of else set()
    aggregates = {e.alias.lower() for e in select.expressions
                  if isinstance(e, exp.Alias) and e.alias.lower() not in real and e.this.find(exp.AggFunc)}
    dropped = [item for item in group.expressions
               if (isinstance(item, exp.Column) and not item.table and item.name.lower() in aggregates)
               or isinstance(item, exp.AggFunc)]
    if not dropped:
        return []
    kept = [item for item in group.expressions if all(item is not d for d in dropped)]
    if kept:
        group.set("expressions", kept)
    else:
        select.set("group", None)
    return [f"{', '.join(d.sql() for d in dropped)} left out of GROUP BY: an aggregate cannot be grouped by"]
