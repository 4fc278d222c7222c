"""Plain years: see :func:`plain_years`."""

from __future__ import annotations

import re

from ..query import ScopeView, resolve, value_kind

_YEAR = re.compile(r"(^|_)year$", re.IGNORECASE)


def plain_years(view: ScopeView) -> list[str]:
    """``EXTRACT(YEAR FROM review.year)``, ``strftime('%Y', review.year)``, ``YEAR(review.year)`` where the column
    is a number named year: it holds the year already (PostgreSQL refuses to extract from a number; SQLite
    reads 2021 as a day number and answers -4707), so the column is read as it is.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE review (rid INT, year INT)')
    >>> sql, notes = rewrite('SELECT COUNT(*) FROM review WHERE EXTRACT(YEAR FROM review.year) = 2021',
    ...     "postgres", tables, rules=(plain_years,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT COUNT(*) FROM review WHERE review.year = 2021
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    the year of review.year read as review.year: it holds years (INTEGER), not dates
    """
    from sqlglot import exp

    scope, table_types = view.scope, view.query.table_types
    notes: list[str] = []
    for node in list(scope.expression.find_all(exp.Extract, exp.TimeToStr, exp.Year)):
        if node.find_ancestor(exp.Select) is not scope.expression:
            continue
        if isinstance(node, exp.Extract):
            wanted, inner = node.this.name.upper() == "YEAR", node.expression
        elif isinstance(node, exp.TimeToStr):
            wanted, inner = node.args.get("format") is not None and node.args["format"].name == "%Y", node.this
        else:
            wanted, inner = True, node.this
        while isinstance(inner, (exp.TsOrDsToTimestamp, exp.TsOrDsToDate, exp.Cast)):
            inner = inner.this
        if not (wanted and isinstance(inner, exp.Column) and _YEAR.search(inner.name)):
            continue
        resolved = resolve(inner, scope, table_types)
        if resolved is None or value_kind(resolved[1]) != "number":
            continue
        note = f"the year of {inner.sql()} read as {inner.sql()}: it holds years ({resolved[1]}), not dates"
        if note not in notes:
            notes.append(note)
        node.replace(inner.copy())
    return notes
