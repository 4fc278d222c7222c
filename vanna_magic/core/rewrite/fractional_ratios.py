"""Fractional ratios: see :func:`fractional_ratios`."""

from __future__ import annotations

import re

from ..query import ScopeView, resolve

WHOLE_TYPE = re.compile(r"^(tiny|small|medium|big)?int(eger)?\d?\b|^(small|big)?serial\d?\b|^long\b|^bit\b", re.I)
BIG_TYPE = re.compile(r"^(bigint|int8|bigserial|serial8)\b", re.I)


def fractional_ratios(view: ScopeView) -> list[str]:
    """``COUNT(CASE WHEN cuisine = 'Italian' THEN 1 END) / COUNT(*)``: in a dialect whose ``/`` of two whole
    numbers is a whole number (SQLite, PostgreSQL, SQL Server, ...), every share below 1 comes back as 0 and a
    ratio loses its fraction. The numerator is cast to a number with decimals. Only for a division of two
    expressions that are both whole numbers by the catalog's column types or by the SQL itself (counts,
    sums and extremes of whole columns, whole arithmetic) and that are neither of them a constant:
    ``departure_time / 100`` (the hour of a time kept as HHMM) is whole division by intent and is left
    alone, as is anything whose type the catalog does not say.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl("CREATE TABLE restaurant (id INT, food_type TEXT, rating REAL)")
    >>> sql, notes = rewrite("SELECT COUNT(CASE WHEN food_type = 'Italian' THEN 1 END) / COUNT(*) FROM restaurant",
    ...     "sqlite", tables, rules=(fractional_ratios,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT CAST(COUNT(CASE WHEN food_type = 'Italian' THEN 1 END) AS REAL) / COUNT(*) FROM restaurant
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    COUNT(CASE WHEN food_type = 'Italian' THEN 1 END) / COUNT(*) divided with decimals: both are whole
    numbers, whose division drops the fraction (0 for any share below 1)
    """
    from sqlglot import exp
    from sqlglot.dialects.dialect import Dialect

    from ..guard.parsing import sqlglot_dialect

    dialect = sqlglot_dialect(view.query.dialect)
    if not Dialect.get_or_raise(dialect).TYPED_DIVISION:
        return []
    scope, table_types = view.scope, view.query.table_types
    own = {id(column) for column in scope.columns}
    big_sums = dialect == "postgres"  # PostgreSQL's SUM of a bigint is a numeric, divided with decimals

    def column_type(node: exp.Column) -> str | None:
        mine = id(node) in own and node.find_ancestor(exp.Select) is scope.expression  # not a subquery's
        found = resolve(node, scope, table_types) if mine else None
        return found[1] if found else None

    def whole(node: exp.Expression, depth: int = 0) -> bool:
        """Whether ``node`` is a whole number by what the SQL and the catalog say (unknown: no)."""
        if depth > 12:
            return False
        if isinstance(node, (exp.Paren, exp.Neg)):
            return whole(node.this, depth + 1)
        if isinstance(node, exp.Literal):
            return node.is_int
        if isinstance(node, exp.Column):
            return bool(WHOLE_TYPE.match(column_type(node) or ""))
        if isinstance(node, exp.Count):
            return True
        if isinstance(node, exp.Sum):
            inner = node.this
            if big_sums and (isinstance(inner, exp.Count) or (
                    isinstance(inner, exp.Column) and BIG_TYPE.match(column_type(inner) or ""))):
                return False
            return whole(inner, depth + 1)
        if isinstance(node, (exp.Max, exp.Min, exp.Abs)):
            return whole(node.this, depth + 1)
        if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Mod)):
            return whole(node.left, depth + 1) and whole(node.right, depth + 1)
        if isinstance(node, exp.Case):
            branches = [branch.args.get("true") for branch in node.args.get("ifs") or []]
            branches.append(node.args.get("default") or exp.Null())
            values = [b for b in branches if not isinstance(b, exp.Null)]
            return bool(values) and all(whole(b, depth + 1) for b in values)
        if isinstance(node, exp.Cast):
            return node.to.is_type(*exp.DataType.INTEGER_TYPES)
        if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
            selected = node.this.expressions
            # its columns belong to another scope and are not typed here: counts and constants only
            return len(selected) == 1 and whole(selected[0].unalias(), depth + 1)
        return False

    def constant(node: exp.Expression) -> bool:
        while isinstance(node, (exp.Paren, exp.Neg)):
            node = node.this
        return isinstance(node, exp.Literal) or not list(node.find_all(exp.Column, exp.Count, exp.Subquery))

    select = scope.expression
    notes: list[str] = []
    divisions = [d for d in select.find_all(exp.Div) if d.find_ancestor(exp.Select) is select]
    for division in divisions:
        top, bottom = division.this, division.expression
        if constant(top) or constant(bottom) or not (whole(top) and whole(bottom)):
            continue
        text = division.sql(dialect=dialect)
        division.set("this", exp.cast(top.copy(), exp.DataType.build("double")))
        notes.append(f"{text} divided with decimals: both are whole numbers, whose division drops the "
                     "fraction (0 for any share below 1)")
    return notes
