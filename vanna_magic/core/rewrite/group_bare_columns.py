"""Group bare columns: see :func:`group_bare_columns`."""

from __future__ import annotations

from ..query import ScopeView


def group_bare_columns(view: ScopeView) -> list[str]:
    """``SELECT student_id, SUM(total_credit) FROM student`` has no GROUP BY: PostgreSQL refuses it and SQLite
    returns one row for all students. The columns read outside the aggregates are grouped by, as meant.
    Not with MIN or MAX (SQLite's bare columns then come from the row holding the extreme: a question's "which
    one"), nor with a window function or DISTINCT.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE student (student_id INT, total_credit INT)')
    >>> sql, notes = rewrite('SELECT student_id, SUM(total_credit) FROM student',
    ...     "sqlite", tables, rules=(group_bare_columns,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT student_id, SUM(total_credit) FROM student GROUP BY student_id
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    GROUP BY student_id added: columns read beside an aggregate are grouped by
    """
    from sqlglot import exp

    scope = view.scope
    select = scope.expression
    if not isinstance(select, exp.Select) or select.args.get("group") or select.args.get("distinct"):
        return []
    items = select.expressions
    if any(item.find(exp.Window) for item in items):
        return []
    aggregates = [a for item in items for a in item.find_all(exp.AggFunc) if a.find_ancestor(exp.Select) is select]
    if not aggregates or any(isinstance(a, (exp.Min, exp.Max)) for a in aggregates):
        return []
    outputs = {item.alias.lower() for item in items if isinstance(item, exp.Alias) and item.alias}
    bare = [item for item in items if not item.find(exp.AggFunc) and not item.find(exp.Subquery)
            and any(c.table or c.name.lower() not in outputs for c in item.find_all(exp.Column))]
    if not bare:
        return []
    keys = [(item.this if isinstance(item, exp.Alias) else item).copy() for item in bare]
    select.group_by(*keys, copy=False)
    return [f"GROUP BY {', '.join(k.sql() for k in keys)} added: columns read beside an aggregate are grouped by"]
