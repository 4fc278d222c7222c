"""Subquery key types: see :func:`subquery_key_types`."""

from __future__ import annotations

from ..query import KEY, ScopeView, from_order, resolve, value_kind


def subquery_key_types(view: ScopeView) -> list[str]:
    """``r.business_id IN (SELECT bid FROM business ...)``: the subquery selects the key of the same type.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE business (bid INT, business_id TEXT, city TEXT); CREATE TABLE '
    ...     'review (rid INT, business_id TEXT)')
    >>> sql, notes = rewrite('SELECT COUNT(*) FROM review AS r WHERE r.business_id IN (SELECT bid FROM '
    ...     "business WHERE city = 'Dallas')", "postgres", tables, rules=(subquery_key_types,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT COUNT(*) FROM review AS r WHERE r.business_id IN (SELECT business_id FROM business WHERE city
    = 'Dallas')
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    r.business_id IN (SELECT bid ...): r.business_id is TEXT and bid is INTEGER; the subquery selects
    business_id instead
    """
    from sqlglot import exp

    scope, table_types = view.scope, view.query.table_types
    own = {id(column) for column in scope.columns}
    notes: list[str] = []
    for test in scope.expression.find_all(exp.In):
        outer, query = test.this, test.args.get("query")
        select = query.this if isinstance(query, exp.Subquery) else None
        if not (isinstance(outer, exp.Column) and id(outer) in own and isinstance(select, exp.Select)
                and len(select.expressions) == 1 and isinstance(select.expressions[0], exp.Column)
                and not select.args.get("joins")):
            continue
        inner = select.expressions[0]
        resolved = resolve(outer, scope, table_types)
        inner_types = table_types(next(iter(from_order(select)), None))
        if resolved is None or inner_types is None or inner.name.lower() not in inner_types:
            continue
        outer_type, inner_type = resolved[1], inner_types[inner.name.lower()]
        if ({value_kind(outer_type), value_kind(inner_type)} != {"number", "text"}
                or value_kind(inner_types.get(outer.name.lower())) != value_kind(outer_type)
                or not (KEY.search(outer.name) and KEY.search(inner.name))):
            continue
        notes.append(f"{outer.sql()} IN (SELECT {inner.sql()} ...): {outer.sql()} is {outer_type} and {inner.sql()} "
                     f"is {inner_type}; the subquery selects {outer.name} instead")
        inner.set("this", exp.to_identifier(outer.name))
    return notes
