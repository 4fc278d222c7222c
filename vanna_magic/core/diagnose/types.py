"""Type clashes: see :func:`type_clashes`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..query import column_types, parse_scopes, resolve, value_kind

if TYPE_CHECKING:
    from ..data.schema import Table



def type_clashes(sql: str, dialect: str, tables: Sequence["Table"]) -> list[str]:
    """What a repair should be told about values used as a type they are not.

    PostgreSQL answers ``operator does not exist: bigint = text`` or ``function
    extract(unknown, bigint) does not exist`` without naming the column; a small model then
    guesses. This names it, with its type: a comparison of a number column with a text column,
    a date function or INTERVAL arithmetic on a column that holds a number or text (a year stored
    as an integer). Types from the schema, never data.

    >>> from vanna_magic.core.data.schema import Column, Table
    >>> tables = [Table("review", (Column("rid", "bigint"), Column("year", "bigint")))]
    >>> print(type_clashes("SELECT COUNT(*) FROM review r WHERE EXTRACT(YEAR FROM r.year) = 2021", "postgres",
    ...                    tables)[0])
    r.year is bigint, not a date or timestamp: EXTRACT does not apply; use its value as it is
    """
    from sqlglot import exp

    parsed = parse_scopes(sql, dialect)
    if parsed is None:
        return []
    _, scopes = parsed
    table_types = column_types(tables)
    found: list[str] = []

    def say(line: str) -> None:
        if line not in found:
            found.append(line)

    for scope in scopes:
        def type_of(node: object, scope=scope) -> str | None:
            resolved = resolve(node, scope, table_types) if isinstance(node, exp.Column) else None
            return None if resolved is None else resolved[1]

        own = {id(column) for column in scope.columns}
        for column in scope.columns:
            type_ = type_of(column)
            if value_kind(type_) is None:
                continue
            parent = column.parent
            if isinstance(parent, exp.Extract) and parent.expression is column:
                say(f"{column.sql()} is {type_}, not a date or timestamp: EXTRACT does not apply; "
                    "use its value as it is")
            elif isinstance(parent, (exp.Add, exp.Sub)) and any(isinstance(side, exp.Interval)
                                                                 for side in (parent.this, parent.expression)):
                say(f"{column.sql()} is {type_}, not a date or timestamp: INTERVAL arithmetic does not apply")
            elif isinstance(parent, (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)) and parent.this is column:
                other = parent.expression
                other_type = type_of(other) if id(other) in own else None
                if {value_kind(type_), value_kind(other_type)} == {"number", "text"}:
                    say(f"{column.sql()} is {type_} and {other.sql()} is {other_type}: compare columns of the "
                        "same type (another key of the same type may be the one meant)")
        for node in scope.expression.find_all(exp.Sub, exp.Add):
            if (isinstance(node.expression, exp.Interval) and isinstance(node.this, exp.Literal)
                    and not node.this.is_string):
                say(f"{node.this.sql()} is a number: INTERVAL arithmetic needs a date or timestamp")
    return found
