"""Zero divisors: see :func:`zero_divisors`."""

from __future__ import annotations

from ..query import parse_scopes

# Error codes of a division by zero: SQLSTATE 22012 (PostgreSQL, SQL Server, DuckDB), Oracle's ORA-01476,
# MySQL's ER_DIVISION_BY_ZERO. SQLite and MySQL's SELECT answer NULL instead.
DIVISION_BY_ZERO = frozenset({"22012", "ORA-01476", "1365"})


def zero_divisors(sql: str, dialect: str, code: str | None) -> list[str]:
    """What a repair should be told when the database refused to divide by zero (by its error ``code``): the divisors
    to guard.

    The database names no expression; a small model then often swaps the divisor's default
    (``COALESCE(x, 1)``) and fails again. This names each divisor that is not a constant or
    already guarded, and the usual guard: ``NULLIF(divisor, 0)``, a NULL ratio where there is nothing
    to divide by.

    >>> print(zero_divisors("SELECT a, SUM(x) * 1.0 / SUM(y) AS r FROM t GROUP BY a", "postgres", "22012")[0])
    SUM(y) may be 0: divide by NULLIF(SUM(y), 0) so that those rows give NULL
    """
    from sqlglot import exp

    from ..guard.parsing import sqlglot_dialect

    parsed = parse_scopes(sql, dialect) if code in DIVISION_BY_ZERO else None
    if parsed is None:
        return []
    found: list[str] = []
    for division in parsed[0].find_all(exp.Div):
        divisor = division.expression
        while isinstance(divisor, (exp.Paren, exp.Cast)) or (  # COALESCE(x, 1) is still 0 where x is
                isinstance(divisor, exp.Coalesce) and all(isinstance(e, exp.Literal) for e in divisor.expressions)):
            divisor = divisor.this
        if isinstance(divisor, (exp.Literal, exp.Nullif)):
            continue
        text = divisor.sql(dialect=sqlglot_dialect(dialect))
        line = f"{text} may be 0: divide by NULLIF({text}, 0) so that those rows give NULL"
        if line not in found:
            found.append(line)
    return found
