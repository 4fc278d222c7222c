"""Unknown columns: see :func:`unknown_columns`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..query import column_types, enclosing, parse_scopes

if TYPE_CHECKING:
    from ..data.schema import Table



def unknown_columns(sql: str, dialect: str, tables: Sequence["Table"]) -> list[str]:
    """What a repair should be told about columns that no table of their query has.

    The database names the column ("column r.stars does not exist"); the model, asked again, often
    guesses another name that is not there either. This names the table's real columns, and the
    tables elsewhere in the schema that do have the column (a join the query is missing). Names of
    columns only, never data.

    >>> from vanna_magic.core.data.schema import Column, Table
    >>> tables = [Table("review", (Column("rid", "INTEGER"), Column("rating", "REAL"))),
    ...           Table("business", (Column("business_id", "TEXT"), Column("stars", "REAL")))]
    >>> print(unknown_columns("SELECT AVG(r.stars) FROM review r", "sqlite", tables)[0])
    review (r) has no column stars; its columns are rid, rating; stars is a column of business
    """
    from sqlglot import exp

    parsed = parse_scopes(sql, dialect)
    if parsed is None:
        return []
    _, scopes = parsed
    table_types = column_types(tables)
    holders: dict[str, list[str]] = {}
    for table in tables:
        for column in table.columns:
            holders.setdefault(column.name.lower(), []).append(table.name)
    found: dict[tuple[str, str], str] = {}
    for scope in scopes:
        sources = {alias.lower(): (alias, source) for alias, source in scope.sources.items()}
        outputs = {e.alias.lower() for e in getattr(scope.expression, "expressions", []) if isinstance(e, exp.Alias)}
        for column in scope.columns:
            name, qualifier = column.name.lower(), column.table.lower()
            if name == "*" or (qualifier, name) in found:
                continue
            if qualifier:
                alias, source = sources.get(qualifier, (None, None))
                types = table_types(source)
                if types is None or name in types:
                    continue  # an undefined qualifier (undefined_aliases says so), a subquery, or right
                label = source.name if source.name == alias else f"{source.name} ({alias})"
                line = f"{label} has no column {column.name}; its columns are {', '.join(types)}"
            else:
                known = [table_types(source) for outer in enclosing(scope) for source in outer.sources.values()]
                if name in outputs or not known or any(t is None or name in t for t in known):
                    continue  # an output alias (ORDER BY total), a source of unknown columns, or found
                line = f"no table of the query has a column {column.name}"
            elsewhere = [t for t in holders.get(name, [])
                         if not any(isinstance(s, exp.Table) and s.name.lower() == t.lower()
                                    for _, s in sources.values())]
            if elsewhere:
                line += f"; {column.name} is a column of {', '.join(elsewhere[:5])}"
            found[(qualifier, name)] = line
    return list(found.values())
