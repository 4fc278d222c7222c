"""Inline aliases: see :func:`inline_aliases`."""

from __future__ import annotations

from ..query import ScopeView


def inline_aliases(view: ScopeView) -> list[str]:
    """``SUM(...) AS weekend, weekend / NULLIF(weekday, 0) AS ratio``: an output name used in its own
    SELECT list, WHERE or HAVING, where no table of the query has such a column, is written out as its
    expression. (GROUP BY and ORDER BY may name outputs; they are left as they are.)

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE checkin (business_id TEXT, day TEXT, count INT)')
    >>> sql, notes = rewrite("SELECT SUM(CASE WHEN day = 'Sunday' THEN count END) AS weekend, SUM(count) AS "
    ...     'total, weekend * 1.0 / total AS share FROM checkin', "sqlite", tables, rules=(inline_aliases,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT SUM(CASE WHEN day = 'Sunday' THEN count END) AS weekend, SUM(count) AS total, (SUM(CASE WHEN
    day = 'Sunday' THEN count END)) * 1.0 / (SUM(count)) AS share FROM checkin
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    total is an output name of its own SELECT: its expression written out where it is used
    """
    from sqlglot import exp

    scope, columns_of = view.scope, view.columns_of
    select = scope.expression
    if not isinstance(select, exp.Select) or None in columns_of.values():
        return []  # a source whose columns are unknown may have a column of that name
    real = set().union(*columns_of.values()) if columns_of else set()
    defined = {e.alias.lower(): e for e in select.expressions if isinstance(e, exp.Alias) and e.alias}
    defined = {name: e for name, e in defined.items() if name not in real}
    if not defined:
        return []
    places = [*select.expressions, select.args.get("where"), select.args.get("having")]
    notes: list[str] = []
    for place in places:
        if place is None:
            continue
        for column in list(place.find_all(exp.Column)):
            name = column.name.lower()
            owner = defined.get(name)
            if column.table or owner is None or column.find_ancestor(exp.Select) is not select:
                continue
            if place is owner or any(c.name.lower() in defined for c in owner.this.find_all(exp.Column)):
                continue  # its own definition, or one still reading output names (they read each other)
            column.replace(exp.paren(owner.this.copy(), copy=False))
            note = f"{column.name} is an output name of its own SELECT: its expression written out where it is used"
            if note not in notes:
                notes.append(note)
    return notes
