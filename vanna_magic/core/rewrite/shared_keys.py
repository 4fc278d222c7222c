"""Shared keys: see :func:`shared_keys`."""

from __future__ import annotations

from ..query import ScopeView, from_order, joined_on


def shared_keys(view: ScopeView) -> list[str]:
    """``course_id`` unqualified, in two tables of the query joined on it: read from the first of them.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE student_record (student_id INT, course_id INT); CREATE TABLE course'
    ...     ' (course_id INT, name TEXT)')
    >>> sql, notes = rewrite('SELECT course_id, c.name FROM student_record AS s JOIN course AS c ON '
    ...     's.course_id = c.course_id', "sqlite", tables, rules=(shared_keys,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT s.course_id, c.name FROM student_record AS s JOIN course AS c ON s.course_id = c.course_id
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    column course_id read from s: s, c all have it and the query joins them on it
    """
    from sqlglot import exp

    scope, columns_of = view.scope, view.columns_of
    select = scope.expression
    sources = from_order(select)
    if not isinstance(select, exp.Select) or not sources or None in columns_of.values():
        return []  # a source whose columns are unknown may have the column too
    if any(join.side in ("RIGHT", "FULL") for join in select.args.get("joins") or []):
        return []  # the first table's key may be NULL where the other's is not
    order = [source.alias_or_name for source in sources]
    outputs = {e.alias.lower() for e in select.expressions if e.alias and not isinstance(e.this, exp.Column)}
    # ORDER BY course_id names the output column, and sqlglot leaves it out of the scope's columns;
    # the database still finds it ambiguous.
    order_by = select.args.get("order")
    ordered = [c for c in order_by.find_all(exp.Column) if not c.table] if order_by is not None else []
    notes: list[str] = []
    fixed: dict[str, str | None] = {}
    for column in [*scope.columns, *(c for c in ordered if all(c is not own for own in scope.columns))]:
        name = column.name.lower()
        if column.table or name == "*" or name in outputs:
            continue
        if name not in fixed:
            having = [alias for alias in order if name in (columns_of.get(alias) or ())]
            if len(having) < 2 or not joined_on(scope, having, name):
                fixed[name] = None
                continue
            # where the query reads it qualified (GROUP BY c.course_id), from there: PostgreSQL does
            # not group s.course_id by c.course_id, however the tables are joined
            written = {c.table.lower() for c in scope.columns if c.name.lower() == name and c.table
                       and c.find_ancestor(exp.Join) is None} & {alias.lower() for alias in having}
            fixed[name] = next((a for a in having if a.lower() in written), having[0]) if len(written) <= 1 else None
            if fixed[name] is not None:
                notes.append(f"column {column.name} read from {fixed[name]}: {', '.join(having)} all have it and "
                             f"the query joins them on it")
        if fixed[name] is not None:
            column.set("table", exp.to_identifier(fixed[name]))
    return notes
