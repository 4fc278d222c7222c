"""Self joins: see :func:`self_joins`."""

from __future__ import annotations

from ..query import ScopeView, from_order


def self_joins(view: ScopeView) -> list[str]:
    """``JOIN business AS b ON r.business_id = r.business_id``: a column compared with itself is always true, so
    the join pairs every row with every row. The side meant is the joined table's own column (``b.business_id``)
    when that table has it; or, when both sides name the joined table, the one table joined before it that has
    the column.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE review (rid INT, business_id TEXT); CREATE TABLE business '
    ...     '(business_id TEXT, name TEXT)')
    >>> sql, notes = rewrite('SELECT b.name FROM review AS r JOIN business AS b ON r.business_id = '
    ...     'r.business_id', "sqlite", tables, rules=(self_joins,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT b.name FROM review AS r JOIN business AS b ON r.business_id = b.business_id
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    join condition r.business_id = r.business_id compares a column with itself (always true);
    r.business_id = b.business_id instead
    """
    from sqlglot import exp

    scope, table_types = view.scope, view.query.table_types
    notes: list[str] = []
    select = scope.expression
    order = [source.alias_or_name for source in from_order(select)]
    for position, join in enumerate(select.args.get("joins") or [], start=1):
        on, joined = join.args.get("on"), join.this.alias_or_name
        for eq in on.find_all(exp.EQ) if on is not None else ():
            left, right = eq.left, eq.right
            if not (isinstance(left, exp.Column) and isinstance(right, exp.Column) and left.table
                    and left.table.lower() == right.table.lower() and left.name.lower() == right.name.lower()):
                continue
            name, was = left.name.lower(), eq.sql()
            having = {alias for alias in order[:position + 1]
                      if name in (table_types(scope.sources.get(alias)) or {})}
            if left.table.lower() != joined.lower():
                if joined not in having:
                    continue
                right.set("table", exp.to_identifier(joined))
            else:
                earlier = [alias for alias in order[:position] if alias in having]
                if len(earlier) != 1:
                    continue
                left.set("table", exp.to_identifier(earlier[0]))
            notes.append(f"join condition {was} compares a column with itself (always true); {eq.sql()} instead")
    return notes
