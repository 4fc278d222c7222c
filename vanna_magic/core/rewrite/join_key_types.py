"""Join key types: see :func:`join_key_types`."""

from __future__ import annotations

from ..query import KEY, ScopeView, resolve, value_kind


def join_key_types(view: ScopeView) -> list[str]:
    """Equalities of one scope between a number and a text column, put on the key they meant (see above).

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE business (bid INT, business_id TEXT, name TEXT); CREATE TABLE '
    ...     'review (rid INT, business_id TEXT)')
    >>> sql, notes = rewrite('SELECT b.name FROM business AS b JOIN review AS r ON b.bid = r.business_id',
    ...     "postgres", tables, rules=(join_key_types,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT b.name FROM business AS b JOIN review AS r ON b.business_id = r.business_id
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    join key b.bid = r.business_id: b.bid is INTEGER and r.business_id is TEXT; b.business_id used
    instead of b.bid
    """
    from sqlglot import exp

    scope, table_types = view.scope, view.query.table_types
    own = {id(column) for column in scope.columns}
    notes: list[str] = []
    for eq in scope.expression.find_all(exp.EQ):
        left, right = eq.left, eq.right
        if not (isinstance(left, exp.Column) and isinstance(right, exp.Column)
                and id(left) in own and id(right) in own and left.table and right.table):
            continue
        resolved = [resolve(column, scope, table_types) for column in (left, right)]
        if None in resolved:
            continue
        sides = [(column, *found) for column, found in zip((left, right), resolved)]
        if {value_kind(sides[0][2]), value_kind(sides[1][2])} != {"number", "text"}:
            continue
        fixes = [(this, other) for this, other in (sides, sides[::-1])
                 if value_kind(this[1].get(other[0].name.lower())) == value_kind(other[2])
                 and other[0].name.lower() != this[0].name.lower()
                 and KEY.search(this[0].name) and KEY.search(other[0].name)]
        if len(fixes) != 1:
            continue
        (column, _, type_), (other, _, other_type) = fixes[0]
        was = f"{column.table}.{column.name}"
        notes.append(f"join key {left.sql()} = {right.sql()}: {was} is {type_} and {other.sql()} is {other_type}; "
                     f"{column.table}.{other.name} used instead of {was}")
        column.set("this", exp.to_identifier(other.name))
    return notes
