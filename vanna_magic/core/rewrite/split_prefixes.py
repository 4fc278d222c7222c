"""Split prefixes: see :func:`split_prefixes`."""

from __future__ import annotations

from ..query import ScopeView, enclosing


def split_prefixes(view: ScopeView) -> list[str]:
    """``course_has_exams``, unqualified, which no table of the query (nor of a query around it) has, where
    ``course`` is a table of the query with a column ``has_exams``: the model wrote ``course.has_exams``
    with an underscore. Read from there when exactly one table of the query (by alias or name) splits it so.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE course (course_id INT, has_exams TEXT)')
    >>> sql, notes = rewrite("SELECT COUNT(*) FROM course WHERE course_has_exams = 'Y'",
    ...     "sqlite", tables, rules=(split_prefixes,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT COUNT(*) FROM course WHERE course.has_exams = 'Y'
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    column course_has_exams read as course.has_exams: no table of its query has a column
    course_has_exams, and course has has_exams
    """
    from sqlglot import exp

    scope, columns_of, source_columns = view.scope, view.columns_of, view.query.source_columns
    select = scope.expression
    around = [source_columns(source) for outer in enclosing(scope) for source in outer.sources.values()]
    if not isinstance(select, exp.Select) or any(cols is None for cols in around):
        return []  # a source whose columns are unknown may have the column
    every = set().union(*around)
    outputs = {e.alias.lower() for e in select.expressions if isinstance(e, exp.Alias)}
    notes: list[str] = []
    for column in scope.columns:
        name = column.name.lower()
        if (column.table or name == "*" or name in outputs or name in every or "_" not in name
                or column.find_ancestor(exp.Select) is not select):
            continue  # a column of a subquery is that subquery's to read
        splits = {(alias, name[len(prefix) + 1:])
                  for alias, source in scope.sources.items()
                  for prefix in {alias.lower(), *([source.name.lower()] if isinstance(source, exp.Table) else [])}
                  if name.startswith(prefix + "_") and name[len(prefix) + 1:] in (columns_of.get(alias) or set())}
        if len(splits) != 1:
            continue
        (alias, rest), = splits
        notes.append(f"column {column.name} read as {alias}.{rest}: no table of its query has a column "
                     f"{column.name}, and {alias} has {rest}")
        column.set("this", exp.to_identifier(rest))
        column.set("table", exp.to_identifier(alias))
    return notes
