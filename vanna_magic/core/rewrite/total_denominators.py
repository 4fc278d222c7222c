"""Total denominators: see :func:`total_denominators`."""

from __future__ import annotations

import re

from ..query import ScopeView, from_order, is_row_key

_FRACTIONAL = re.compile(r"float|real|double|numeric|decimal|number", re.IGNORECASE)


def total_denominators(view: ScopeView) -> list[str]:
    """``CAST(COUNT(*) AS FLOAT) / COUNT(DISTINCT id) FROM restaurant WHERE rating > 4.5`` (or ``... / COUNT(bid)
    FROM business GROUP BY state``): both sides count the same rows, so the ratio is 1 on every row. A part
    over a whole was meant: the denominator becomes the count of the table's rows, ``(SELECT COUNT(*) FROM
    restaurant)``. Only for a query of one table with a WHERE or a GROUP BY (not both: then a total per group
    may be meant), a fractional division (a cast or a decimal number; an integer one would give 0), and
    counts of rows: ``COUNT(*)``, or of the table's key (``id``, a key named after the table or its initial:
    ``bid`` for business), never of another column (``COUNT(phone) / COUNT(*)`` is a real share).

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE restaurant (id INT, rating REAL)')
    >>> sql, notes = rewrite('SELECT CAST(COUNT(*) AS REAL) / COUNT(id) FROM restaurant WHERE rating > 4.5',
    ...     "sqlite", tables, rules=(total_denominators,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT CAST(COUNT(*) AS REAL) / (SELECT COUNT(*) FROM restaurant) FROM restaurant WHERE rating > 4.5
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    COUNT(id) in the ratio's denominator counted the same rows as its numerator (the ratio was 1): it
    counts all of restaurant, (SELECT COUNT(*) FROM restaurant)
    """
    from sqlglot import exp

    scope, by_name = view.scope, view.query.by_name
    select = scope.expression
    if not isinstance(select, exp.Select) or select.args.get("joins") or len(scope.sources) != 1:
        return []
    sources = from_order(select)
    source = sources[0] if sources else None
    table = by_name.get(source.name.lower()) if isinstance(source, exp.Table) else None
    if table is None or bool(select.args.get("where")) == bool(select.args.get("group")):
        return []

    def rows(node: exp.Expression) -> "exp.Count | None":
        """The one COUNT of ``node`` (under casts, NULLIF and arithmetic with numbers) when it counts rows."""
        counts = [a for a in node.find_all(exp.AggFunc) if a.find_ancestor(exp.Select) is select]
        if len(counts) != 1 or not isinstance(counts[0], exp.Count) or isinstance(counts[0].parent, exp.Filter):
            return None
        if any(c.find_ancestor(exp.AggFunc) is None for c in node.find_all(exp.Column)):
            return None
        argument = counts[0].this
        argument = argument.expressions[0] if isinstance(argument, exp.Distinct) and len(argument.expressions) == 1 \
            else argument
        if isinstance(argument, exp.Star) or (isinstance(argument, exp.Literal) and not argument.is_string):
            return counts[0]
        if isinstance(argument, exp.Column) and is_row_key(table, argument.name, by_name):
            return counts[0]
        return None

    notes: list[str] = []
    for division in list(select.find_all(exp.Div)):
        if division.find_ancestor(exp.Select) is not select or division.find_ancestor(exp.AggFunc) is not None:
            continue
        top, bottom = rows(division.this), rows(division.expression)
        fractional = any(_FRACTIONAL.search(cast.to.sql()) for cast in division.find_all(exp.Cast)) or any(
            not number.is_string and "." in number.this for number in division.find_all(exp.Literal))
        if top is None or bottom is None or not fractional:
            continue
        whole = source.copy()
        whole.set("alias", None)
        total = exp.Subquery(this=exp.select(exp.Count(this=exp.Star())).from_(whole))
        notes.append(f"{bottom.sql()} in the ratio's denominator counted the same rows as its numerator (the ratio "
                     f"was 1): it counts all of {table.name}, {total.sql()}")
        bottom.replace(total)
    return notes
