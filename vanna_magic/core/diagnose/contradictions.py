"""Contradictions: see :func:`contradictions`."""

from __future__ import annotations

from ..query import parse_scopes


def contradictions(sql: str, dialect: str) -> list[str]:
    """What a repair of an empty result should be told about conditions no row can meet.

    ``WHERE mountain_name = 'Mount Everest' AND mountain_name = 'Dhaulagiri'`` asks one row to hold
    two values: a small model writes it for "compare A with B". From the query's text alone.

    >>> print(contradictions("SELECT a FROM m WHERE m.name = 'x' AND m.name = 'y'", "sqlite")[0][:60])
    m.name = 'x' AND m.name = 'y': no row holds both values; rea
    """
    from sqlglot import exp

    from ..guard.parsing import sqlglot_dialect

    parsed = parse_scopes(sql, dialect)
    if parsed is None:
        return []
    _, scopes = parsed
    write = sqlglot_dialect(dialect)
    lines: list[str] = []
    for scope in scopes:
        select = scope.expression
        if not isinstance(select, exp.Select):
            continue
        conditions = [select.args.get("where"), *(join.args.get("on") for join in select.args.get("joins") or [])]
        for condition in (c for c in conditions if c is not None):
            node = condition.this if isinstance(condition, exp.Where) else condition
            conjuncts = list(node.flatten()) if isinstance(node, exp.And) else [node]
            equalities: dict[str, list[tuple[str, exp.Expression]]] = {}  # column -> (value, conjunct)
            for conjunct in conjuncts:
                if not isinstance(conjunct, exp.EQ):
                    continue
                column, literal = conjunct.this, conjunct.expression
                if isinstance(column, exp.Literal):
                    column, literal = literal, column
                if isinstance(column, exp.Column) and isinstance(literal, exp.Literal):
                    equalities.setdefault(column.sql(dialect=write).lower(), []).append((literal.this, conjunct))
            for pairs in equalities.values():
                if len({value for value, _ in pairs}) > 1:  # the values, however written ('1' = 1 is one value)
                    written = " AND ".join(conjunct.sql(dialect=write) for _, conjunct in pairs)
                    lines.append(f"{written}: no row holds both values; read each from its own row (a self-join, "
                                 "or one subquery per value)")
    return lines
