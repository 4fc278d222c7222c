"""A query's syntax tree, its scopes, and what the catalog says about each source: the view the rewrite
rules (:mod:`vanna_magic.core.rewrite`) and the repair diagnoses (:mod:`vanna_magic.core.diagnose`) read.

A :class:`Query` is parsed once per statement; a :class:`ScopeView` is one of its scopes (the query,
a subquery, a CTE) with the columns each of its sources has. The helpers below answer the questions
the rules ask: which table of a scope has a column, which keys join two tables, which qualifiers name
a table the query never joined.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.optimizer.scope import Scope

    from .data.schema import Table

NUMBER_TYPE = re.compile(r"int|serial|numeric|decimal|real|double|float|number")
TEXT_TYPE = re.compile(r"char|text|clob|string")
KEY = re.compile(r"(id|code|key|no|num|number)$", re.IGNORECASE)


class Query:
    """One statement parsed in a dialect, with the catalog it reads: parse with :meth:`parse`."""

    def __init__(self, tree: "exp.Expression", scopes: "list[Scope]", dialect: str, tables: Sequence["Table"],
                 question: str = ""):
        self.tree, self.scopes, self.dialect, self.tables = tree, scopes, dialect, tables
        self.table_types = column_types(tables)
        self.by_name = tables_by_name(tables)
        self.question = question  # what the query answers ("" for SQL written by hand)
        self.noted: set[str] = set()  # notes given so far, for a rule that notes a change once per statement

    @classmethod
    def parse(cls, sql: str, dialect: str, tables: Sequence["Table"] = (), question: str = "") -> "Query | None":
        """The query of ``sql``; None when it does not parse."""
        parsed = parse_scopes(sql, dialect)
        return None if parsed is None else cls(parsed[0], parsed[1], dialect, tables, question)

    @cached_property
    def named(self) -> dict[str, list["Table"]]:
        """The catalog's tables by lower-case name: every table of each name, in the catalog's order."""
        named: dict[str, list["Table"]] = {}
        for table in self.tables:
            named.setdefault(table.name.lower(), []).append(table)
        return named

    @cached_property
    def schemas(self) -> set[str]:
        """The schemas the catalog's tables are in (the names of those that have one)."""
        return {table.schema for table in self.tables if table.schema}

    def source_columns(self, source: object) -> set[str] | None:
        """The column names a source of a scope has: a table's from the catalog, a subquery's outputs."""
        from sqlglot import exp
        from sqlglot.optimizer.scope import Scope

        if isinstance(source, Scope) and isinstance(source.expression, exp.Query):
            return {name.lower() for name in source.expression.named_selects}
        types = self.table_types(source)
        return None if types is None else set(types)


class ScopeView:
    """One scope of a :class:`Query`: what every rewrite rule takes."""

    def __init__(self, query: Query, scope: "Scope"):
        self.query, self.scope = query, scope

    @cached_property
    def known(self) -> dict[str, tuple[str, set[str] | None]]:
        """Lower-case alias -> (the alias as written, its source's columns or None when they are unknown)."""
        columns = self.query.source_columns
        return {alias.lower(): (alias, columns(source)) for alias, source in self.scope.sources.items()}

    @cached_property
    def columns_of(self) -> dict[str, set[str] | None]:
        """Alias as written -> its source's columns (None: unknown)."""
        return dict(self.known.values())


def parse_scopes(sql: str, dialect: str) -> "tuple[exp.Expression, list[Scope]] | None":
    """The parsed statement and its scopes (query, subqueries, CTEs); None when it does not parse."""
    import sqlglot
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.scope import traverse_scope

    from .guard.parsing import quiet_sqlglot, sqlglot_dialect

    try:
        with quiet_sqlglot():
            tree = sqlglot.parse_one(sql, read=sqlglot_dialect(dialect))
            return tree, traverse_scope(tree)
    except (SqlglotError, RecursionError, KeyError, ValueError):
        return None


def column_types(tables: Sequence["Table"]):
    """A lookup from a query's table source to its catalog columns and their types (None: not a known table)."""
    from sqlglot import exp

    types_of: dict[str, dict[str, str]] = {}
    for table in tables:
        types = {c.name.lower(): c.type for c in table.columns}
        types_of.setdefault(table.name.lower(), types)
        if table.schema:
            types_of.setdefault(f"{table.schema}.{table.name}".lower(), types)

    def table_types(source: object) -> dict[str, str] | None:
        if not isinstance(source, exp.Table):
            return None
        key = ".".join(part for part in (source.db, source.name) if part).lower()
        return types_of.get(key) or types_of.get(source.name.lower())

    return table_types


def tables_by_name(tables: Sequence["Table"]) -> dict[str, "Table"]:
    """The catalog's tables by lower-case name, the first of each name (as :func:`column_types` reads them)."""
    by_name: dict[str, "Table"] = {}
    for table in tables:
        by_name.setdefault(table.name.lower(), table)
    return by_name


def from_order(select: "exp.Expression") -> "list[exp.Expression]":
    """The sources of a SELECT's FROM and JOINs, in the order written ([] without a FROM)."""
    from_ = select.args.get("from_") or select.args.get("from")  # the key's name in newer and older sqlglot
    if from_ is None:
        return []
    return [from_.this, *(join.this for join in select.args.get("joins") or [])]


def enclosing(scope: "Scope") -> "list[Scope]":
    """``scope`` and the queries around it: a correlated subquery may read their tables."""
    chain = []
    while scope is not None:
        chain.append(scope)
        scope = scope.parent
    return chain


def visible_names(scope: "Scope", *, table_names: bool = False) -> set[str]:
    """The qualifiers ``scope`` may use: its aliases and those of the queries around it; with
    ``table_names``, the names of their tables too."""
    from sqlglot import exp

    visible: set[str] = set()
    for outer in enclosing(scope):
        visible |= {alias.lower() for alias in outer.sources}
        if table_names:
            visible |= {source.name.lower() for source in outer.sources.values() if isinstance(source, exp.Table)}
    return visible


def value_kind(type_: str | None) -> str | None:
    """"number" or "text" for a column type; None for dates, booleans and what is not known."""
    words = (type_ or "").lower()
    if "interval" in words or "point" in words:
        return None
    return "number" if NUMBER_TYPE.search(words) else "text" if TEXT_TYPE.search(words) else None


def resolve(column: "exp.Column", scope: "Scope", table_types) -> tuple[dict[str, str], str] | None:
    """The catalog columns of the one table of ``scope`` that ``column`` reads, and the column's type.

    None when no table of the scope, or more than one, has it (or a source's columns are unknown).
    """
    name = column.name.lower()
    found = [types for alias, source in scope.sources.items()
             if (not column.table or alias.lower() == column.table.lower())
             and (types := table_types(source)) is not None and name in types]
    return (found[0], found[0][name]) if len(found) == 1 else None


def join_keys(source: "exp.Table", table: "Table", table_types, by_name: dict[str, "Table"]) -> list[tuple[str, str]]:
    """(column of ``source``, column of ``table``) pairs that join them: single-column foreign keys
    either way, and key columns of the same name and type (``paper.journalid``, ``journal.journalid``;
    a bare ``id`` is every table's own key, not a link)."""
    types = table_types(source) or {}
    own = by_name.get(source.name.lower())
    name = table.name.lower()
    pairs = [(fk.columns[0], fk.ref_columns[0]) for fk in (own.foreign_keys if own else ())
             if len(fk.columns) == 1 and len(fk.ref_columns) == 1 and fk.ref_table.lower().rpartition(".")[2] == name]
    pairs += [(fk.ref_columns[0], fk.columns[0]) for fk in table.foreign_keys
              if len(fk.columns) == 1 and len(fk.ref_columns) == 1
              and fk.ref_table.lower().rpartition(".")[2] == source.name.lower()]
    theirs = {c.name.lower(): c.type for c in table.columns}
    pairs += [(column, column) for column, type_ in types.items()
              if column in theirs and KEY.search(column) and not KEY.fullmatch(column)
              and value_kind(type_) is not None and value_kind(type_) == value_kind(theirs[column])]
    return list(dict.fromkeys((s.lower(), t.lower()) for s, t in pairs))


def missing_tables(scope: "Scope", by_name: dict[str, "Table"], table_types, *, any_column: bool = False):
    """(qualifier, its catalog table, candidate joins) for each qualifier of ``scope`` that names a catalog
    table the query never brought in (``journal.journalname`` with no ``journal`` in FROM or JOIN).

    A candidate join is (alias of a table of the scope, its column, the missing table's column).
    Only qualifiers with a column of that table count, unless ``any_column`` (``neighbourhood.name``).
    """
    from sqlglot import exp

    sources = [s for s in from_order(scope.expression) if isinstance(s, exp.Table)]
    if not isinstance(scope.expression, exp.Select) or not sources:
        return []
    visible = visible_names(scope, table_names=True)
    found: dict[str, tuple] = {}
    for column in scope.columns:
        qualifier = column.table.lower()
        table = by_name.get(qualifier)
        if (not qualifier or qualifier in visible or qualifier in found or table is None
                or not (any_column or column.name.lower() in {c.name.lower() for c in table.columns})):
            continue
        own = column.find_ancestor(exp.Select)
        if own is not scope.expression and qualifier in {s.alias_or_name.lower() for s in from_order(own)}:
            continue  # a subquery's column, on a table a rule joined there
        joins = [(source.alias_or_name, s, t) for source in sources
                 for s, t in join_keys(source, table, table_types, by_name)]
        found[qualifier] = (column.args["table"], table, joins)
    return list(found.values())


def identifies(table: "Table", column: str, tables: dict[str, "Table"]) -> bool:
    """Whether ``column`` picks at most one row of ``table``: its primary key, a column a foreign key refers
    to, or, no primary key being declared, a key named after its table (``keyphrase.keyphraseid``;
    ``paperkeyphrase.paperid`` and ``category.business_id`` may repeat)."""
    column = column.lower()
    if table.primary_key:
        return [c.lower() for c in table.primary_key] == [column]
    if any(len(fk.columns) == 1 and fk.ref_columns[0].lower() == column
           and fk.ref_table.lower().rpartition(".")[2] == table.name.lower()
           for other in tables.values() for fk in other.foreign_keys):
        return True
    plain = re.sub(r"[^a-z0-9]", "", column)
    return bool(KEY.search(column)) and plain.startswith(re.sub(r"[^a-z0-9]", "", table.name.lower()))


def filters(column: "exp.Column", select: "exp.Select") -> bool:
    """Whether ``column`` is read only to filter the rows of ``select`` (in its WHERE, outside any subquery)."""
    from sqlglot import exp

    where = column.find_ancestor(exp.Where)
    return where is not None and where.parent is select and column.find_ancestor(exp.Select) is select


def schema_of(table: "Table") -> "exp.Identifier | None":
    """The schema to write before ``table``'s name: None for the connection's default schema."""
    from sqlglot import exp

    from .data.schema import DEFAULT_SCHEMAS

    schema = table.schema if table.schema and table.schema.lower() not in DEFAULT_SCHEMAS.values() else None
    return exp.to_identifier(schema) if schema else None


def joined_on(scope: "Scope", aliases: list[str], key: str) -> bool:
    """Whether the query equates ``key`` of every one of ``aliases`` with the first's, so any of them will do."""
    from sqlglot import exp

    pairs = {frozenset((eq.left.table.lower(), eq.right.table.lower())) for eq in scope.expression.find_all(exp.EQ)
             if isinstance(eq.left, exp.Column) and isinstance(eq.right, exp.Column)
             and eq.left.name.lower() == key and eq.right.name.lower() == key}
    return all(frozenset((aliases[0].lower(), other.lower())) in pairs for other in aliases[1:])


def is_row_key(table: "Table", column: str, by_name: dict[str, "Table"]) -> bool:
    """Whether ``column`` names ``table``'s rows one by one: its key (see :func:`identifies`), or, no primary
    key being declared, ``id`` or the table's initial and ``id`` (``bid`` for business, ``pid`` for publication)."""
    column = column.lower()
    if identifies(table, column, by_name):
        return True
    return not table.primary_key and column in ("id", f"{table.name[:1].lower()}id")


def keep_unambiguous(scope: "Scope", columns_of: dict[str, set[str] | None], table_types) -> None:
    """After a rule joined a table to ``scope``'s query, an unqualified column that table shares with
    exactly one table the query had is read from that table (the join must not make it ambiguous)."""
    from sqlglot import exp

    select = scope.expression
    before = {alias.lower() for alias in scope.sources}
    added: set[str] = set()
    for source in from_order(select):
        if isinstance(source, exp.Table) and source.alias_or_name.lower() not in before:
            added |= {c.lower() for c in table_types(source) or ()}
    for column in scope.columns:
        name = column.name.lower()
        if column.table or name == "*" or name not in added or column.find_ancestor(exp.Select) is not select:
            continue
        owners = [alias for alias in scope.sources if name in (columns_of.get(alias.lower()) or set())]
        if len(owners) == 1:
            column.set("table", exp.to_identifier(owners[0]))
