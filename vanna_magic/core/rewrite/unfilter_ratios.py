"""Unfilter ratios: see :func:`unfilter_ratios`."""

from __future__ import annotations

from ..query import ScopeView


def unfilter_ratios(view: ScopeView) -> list[str]:
    """``COUNT(CASE WHEN rating > 4.5 THEN 1 END) * 1.0 / COUNT(*) FROM restaurant WHERE rating > 4.5``: the WHERE
    keeps only the rows the numerator counts, so the ratio is 1 by construction; the condition the numerator
    counts is meant for the numerator alone, and is taken out of the WHERE. Only when every aggregate of the
    SELECT list is in such a ratio (the WHERE keeps filtering anything else) and the denominator is an
    aggregate of the same query (a total from a subquery is not filtered by the WHERE).

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE restaurant (id INT, rating REAL)')
    >>> sql, notes = rewrite('SELECT COUNT(CASE WHEN rating > 4.5 THEN 1 END) * 1.0 / COUNT(*) FROM restaurant'
    ...     ' WHERE rating > 4.5', "sqlite", tables, rules=(unfilter_ratios,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT COUNT(CASE WHEN rating > 4.5 THEN 1 END) * 1.0 / COUNT(*) FROM restaurant
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    rating > 4.5 taken out of WHERE: it kept only the rows the ratio's numerator counts, which made the
    ratio 1
    """
    from sqlglot import exp

    scope = view.scope
    select = scope.expression
    where = select.args.get("where") if isinstance(select, exp.Select) else None
    if where is None:
        return []
    conjuncts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]

    def own(node: exp.Expression) -> list[exp.Expression]:
        return [a for a in node.find_all(exp.AggFunc) if a.find_ancestor(exp.Select) is select]

    def counted(node: exp.Expression) -> set[str]:
        """The conditions of the CASEs inside ``node``'s own aggregates."""
        return {branch.this.sql() for aggregate in own(node) for case in aggregate.find_all(exp.Case)
                for branch in case.args.get("ifs") or []}

    ratios, dropped = [], set()
    for division in (d for item in select.expressions for d in item.find_all(exp.Div)):
        top, bottom = counted(division.this), counted(division.expression)
        if not own(division.this) or not own(division.expression):
            continue
        meant = {c.sql() for c in conjuncts} & (top - bottom)
        if meant:
            ratios.append(division)
            dropped |= meant
    in_ratios = {id(a) for division in ratios for a in own(division)}
    if not dropped or any(id(a) not in in_ratios for item in select.expressions for a in own(item)):
        return []
    kept = [c for c in conjuncts if c.sql() not in dropped]
    select.set("where", exp.Where(this=exp.and_(*kept, copy=False)) if kept else None)
    return [f"{text} taken out of WHERE: it kept only the rows the ratio's numerator counts, which made the ratio 1"
            for text in sorted(dropped)]
