"""The row cap: the outermost query gets ``LIMIT n`` (or the dialect's ``FETCH FIRST n ROWS ONLY``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .parsing import render

if TYPE_CHECKING:
    from sqlglot import exp


def _literal_int(node: Any) -> int | None:
    from sqlglot import exp

    if isinstance(node, exp.Literal) and not node.is_string and re.fullmatch(r"\d+", str(node.this)):
        return int(node.this)
    return None


def cap_rows(query: "exp.Query", cap: int, dialect: str) -> tuple["exp.Query", str | None]:
    """Give the outermost query ``LIMIT cap``; returns the query and a note of the rewrite (None if unchanged)."""
    from sqlglot import exp

    limit = query.args.get("limit")
    if limit is None:
        query.set("limit", exp.Limit(expression=exp.Literal.number(cap)))
        return query, f"row_cap: LIMIT {cap}"
    was = f"row_cap: LIMIT {cap} (was {render(limit, dialect)})"
    options = limit.args.get("limit_options")
    if options is not None and (options.args.get("percent") or options.args.get("with_ties")):
        # PERCENT and WITH TIES are not row counts: bound them from outside.
        return exp.select("*").from_(query.subquery("capped")).limit(cap), was
    if isinstance(limit, exp.Fetch):
        count = limit.args.get("count")
        current = 1 if count is None else _literal_int(count)  # FETCH FIRST ROW ONLY is one row
        if current is not None and current <= cap:
            return query, None
        limit.set("count", exp.Literal.number(cap))
        return query, was
    if not isinstance(limit, exp.Limit):
        query.set("limit", exp.Limit(expression=exp.Literal.number(cap)))
        return query, was
    current = _literal_int(limit.expression)
    if current is not None and current <= cap:
        return query, None
    # LIMIT ALL, LIMIT -1 (no limit on SQLite), LIMIT $1: anything we cannot bound becomes the cap.
    limit.set("expression", exp.Literal.number(cap))  # in place: an OFFSET held by the LIMIT node stays
    return query, was
