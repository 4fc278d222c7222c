"""Restore prefixes: see :func:`restore_prefixes`."""

from __future__ import annotations

from ..query import ScopeView, visible_names


def restore_prefixes(view: ScopeView) -> list[str]:
    """``neighbourhood.name`` where ``neighbourhood`` (a table of the query, by alias or name, or one it
    names without joining) has no column ``name`` but has ``neighbourhood_name``: the model left out
    the table's name its column starts with. Also ``venuename`` for ``v.name`` on ``venue AS v``, and a
    singular table name (``users.name`` for ``user_name``). Read as that column when exactly one fits.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE neighbourhood (business_id TEXT, neighbourhood_name TEXT)')
    >>> sql, notes = rewrite('SELECT n.name FROM neighbourhood AS n', "sqlite", tables, rules=(restore_prefixes,))
    >>> print(sql)  # doctest: +NORMALIZE_WHITESPACE
    SELECT n.neighbourhood_name FROM neighbourhood AS n
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    column n.name read as n.neighbourhood_name: neighbourhood has no column name
    """
    from sqlglot import exp

    scope, by_name, table_types = view.scope, view.query.by_name, view.query.table_types
    notes: list[str] = []
    visible: set[str] | None = None  # names the query can see, for a qualifier that is no source of the scope
    for column in scope.columns:
        qualifier, name = column.table.lower(), column.name.lower()
        if not qualifier or name == "*":
            continue
        source = next((s for a, s in scope.sources.items() if a.lower() == qualifier), None)
        if source is None:
            visible = visible_names(scope, table_names=True) if visible is None else visible
            if qualifier not in by_name or qualifier in visible:
                continue
            table_name, have = qualifier, {c.name.lower(): c.name for c in by_name[qualifier].columns}
        elif isinstance(source, exp.Table) and table_types(source) is not None:
            table_name, have = source.name.lower(), {c: c for c in table_types(source)}
        else:
            continue  # a derived table or CTE: its columns are its own
        if name in have:
            continue
        stems = {table_name, table_name.removesuffix("s")}
        fits = {have[f"{stem}{sep}{name}"] for stem in stems for sep in ("_", "") if f"{stem}{sep}{name}" in have}
        if len(fits) != 1:
            continue
        (real,) = fits
        notes.append(f"column {column.table}.{column.name} read as {column.table}.{real}: {table_name} has no "
                     f"column {column.name}")
        column.set("this", exp.to_identifier(real))
    return notes
