"""What a person is told when the database rejects SQL they wrote: see :func:`schema_help`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..query import parse_scopes
from .aliases import undefined_aliases
from .columns import unknown_columns
from .tables import unknown_tables
from .types import type_clashes

if TYPE_CHECKING:
    from ..data.schema import Table


def schema_help(sql: str, dialect: str, tables: Sequence["Table"]) -> tuple[list[str], list[str]]:
    """The schema notes the repair loop gives the model (unknown tables, undefined qualifiers, unknown
    columns with the table's real ones and the tables that have them, type clashes), and the names of the
    known tables the statement reads, whose schema is the next thing to look at (their columns are listed
    when a column was found in none of them). Names only, never data.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> tables = tables_from_ddl("CREATE TABLE orders (order_id INT, total REAL); CREATE TABLE t (nope INT)")
    >>> notes, read = schema_help("SELECT nope FROM orders", "sqlite", tables)
    >>> for line in [*notes, read]: print(line)
    no table of the query has a column nope; nope is a column of t
    orders has the columns order_id, total
    ['orders']
    """
    from sqlglot import exp

    notes = [*unknown_tables(sql, dialect, tables), *undefined_aliases(sql, dialect, tables),
             *unknown_columns(sql, dialect, tables), *type_clashes(sql, dialect, tables)]
    parsed = parse_scopes(sql, dialect)
    if parsed is None:
        return notes, []
    by_name = {t.name.lower(): t for t in tables}
    read = list(dict.fromkeys(by_name[t.name.lower()] for t in parsed[0].find_all(exp.Table)
                              if t.name.lower() in by_name))
    if any(note.startswith("no table of the query has a column") for note in notes):  # which table's are they?
        notes += [f"{t.name} has the columns {', '.join(c.name for c in t.columns)}" for t in read]
    return notes, [t.name for t in read]
