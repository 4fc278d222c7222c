"""Identifier case: see :func:`identifier_case`."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from ..query import ScopeView, enclosing

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.optimizer.scope import Scope

    from ..data.schema import Table


def identifier_case(view: ScopeView) -> list[str]:
    """``SELECT FirstName FROM Users`` for a table created as ``"Users" ("FirstName")``: PostgreSQL folds
    unquoted names to lower case (Oracle and Snowflake to upper case), so the query names ``users``, which
    does not exist. An unquoted table, schema or column name that names nothing once folded, but exactly one
    catalog object of its kind when case is ignored, is written quoted as the catalog spells it; a column
    only among the sources of its scope, and a qualifier that is a table's own name follows its table.
    Names that resolve as written, that match two objects differing only by case, aliases, CTE names and
    what the catalog does not know are left alone. Dialects that ignore case (SQLite, DuckDB, SQL Server)
    need nothing; in one that compares names with their case (MySQL's table names), only an unqualified
    table name is spelt as the catalog spells it.

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl('CREATE TABLE "Users" ("UserId" INT, "FirstName" TEXT)', "postgres")
    >>> sql, notes = rewrite('SELECT FirstName, UserId FROM Users', "postgres", tables, rules=(identifier_case,))
    >>> print(sql)
    SELECT "FirstName", "UserId" FROM "Users"
    >>> print(notes[0])
    Users written "Users": PostgreSQL folds unquoted names to lower case
    """
    from sqlglot import exp

    names = Names.of(view)
    if names is None:
        return []
    select, noted = view.scope.expression, view.query.noted
    notes: list[str] = []

    def write(node: exp.Expression, key: str, new: exp.Identifier, note: bool = True) -> None:
        text = names.note(node.args[key], new)
        if note and text not in noted:
            noted.add(text)
            notes.append(text)
        node.set(key, new)

    for source in names.sources(view.scope).values():
        if isinstance(source, exp.Table):
            _, schema, name = names.table(source)
            for key, new in (("db", schema), ("this", name)):
                if new is not None:
                    write(source, key, new)
    if not isinstance(select, exp.Select):
        return notes
    aliases = {e.alias.lower() for e in select.expressions if isinstance(e, exp.Alias)}
    for column in [c for c in select.find_all(exp.Column) if c.find_ancestor(exp.Select) is select]:
        for key, new, own in names.qualifier(column, view.scope):
            write(column, key, new, note=own)
        name = column.this
        if (not names.folds or not isinstance(name, exp.Identifier) or name.quoted or column.args.get("catalog")
                or (not column.table and name.name.lower() in aliases and not in_projection(column, select))):
            continue
        new = names.column(column, view.scope)
        if new is not None:
            write(column, "this", new)
    return notes


class Names:
    """How one query's dialect resolves names, and the catalog's names as the database holds them."""

    def __init__(self, view: ScopeView, dialect: str, strategy: str):
        from sqlglot import exp

        from ..data.dialects import title

        self.view, self.dialect, self.strategy = view, dialect, strategy
        self.ctes = {cte.alias.lower() for cte in view.query.tree.find_all(exp.CTE)}
        self.folds = strategy in ("LOWERCASE", "UPPERCASE")
        self.reason = (f"{title(dialect)} folds unquoted names to {strategy[:-4].lower()} case" if self.folds
                       else f"{title(dialect)} tells table names apart by case")

    @classmethod
    def of(cls, view: ScopeView) -> "Names | None":
        """The names of ``view``'s query; None in a dialect that ignores case."""
        from sqlglot.dialects.dialect import Dialect

        from ..guard.parsing import sqlglot_dialect

        dialect = sqlglot_dialect(view.query.dialect)
        strategy = Dialect.get_or_raise(dialect).NORMALIZATION_STRATEGY.name
        return cls(view, dialect, strategy) if strategy in ("LOWERCASE", "UPPERCASE", "CASE_SENSITIVE") else None

    def stored(self, name: str) -> str:
        """What the database holds for a catalog name. In a dialect folding to upper case the catalog shows
        names held in capitals in lower case, as SQLAlchemy does, and marks a name held in lower case as
        quoted (SQLAlchemy's ``quoted_name``)."""
        if (self.strategy == "UPPERCASE" and name == name.lower()
                and getattr(name, "quote", None) is not True):
            return str(name).upper()
        return str(name)

    @cached_property
    def schemas(self) -> list[str]:
        """The catalog's schemas as the database holds them."""
        return sorted({self.stored(schema) for schema in self.view.query.schemas})

    def resolved(self, identifier: "exp.Identifier") -> str:
        """The name the database reads for ``identifier``."""
        from ..guard.names import resolved

        return resolved(identifier, self.dialect)

    def respelt(self, identifier: "exp.Identifier", held: list[str]) -> "exp.Identifier | None":
        """``identifier`` spelt as the one name of ``held`` (names as the database holds them) that it
        matches when case is ignored; None when it resolves to one of them as written, or matches none or
        several."""
        from sqlglot import exp

        if identifier.quoted:
            return None
        written = self.resolved(identifier)
        matches = [name for name in held if name.lower() == written.lower()]
        if len(matches) != 1 or written in matches:
            return None
        return exp.to_identifier(matches[0], quoted=True) if self.folds else exp.Identifier(this=matches[0])

    def table(self, source: "exp.Table") -> "tuple[Table | None, exp.Identifier | None, exp.Identifier | None]":
        """The catalog table ``source`` names, and the schema and name to write for it (None: as written).

        A name matched neither as written nor by case, or that a CTE may have (in any case), reads no table."""
        from sqlglot import exp

        name, schema = source.this, source.args.get("db")
        if (not isinstance(name, exp.Identifier) or source.args.get("catalog") or (schema and not self.folds)
                or name.name.lower() in self.ctes):  # a CTE, whatever its case: the database folds both
            return None, None, None
        tables = self.view.query.named.get(name.name.lower(), [])
        new_schema = None
        if schema is not None:
            new_schema = self.respelt(schema, self.schemas)
            tables = [t for t in tables if t.schema and self.stored(t.schema) == self.resolved(new_schema or schema)]
        new_name = self.respelt(name, sorted({self.stored(t.name) for t in tables}))
        found = next((t for t in tables if self.stored(t.name) == self.resolved(new_name or name)), None)
        return found, new_schema, new_name

    def qualifier(self, column: "exp.Column", scope: "Scope") -> "list[tuple[str, exp.Identifier, bool]]":
        """The parts of ``column``'s qualifier to write as its table is written, when it is the table's own
        name (no alias): ``Users.FirstName`` on ``FROM "Users"``. Each with whether it needs a note of its
        own (the table's note covers a name the table was written with)."""
        from sqlglot import exp

        source = self.source(column, scope) if column.table else None
        if not isinstance(source, exp.Table) or source.alias:
            return []
        _, new_schema, new_name = self.table(source)
        parts = []
        for key, own, new in (("table", source.this, new_name), ("db", source.args.get("db"), new_schema)):
            part, target = column.args.get(key), new or own
            if (isinstance(part, exp.Identifier) and isinstance(target, exp.Identifier) and not part.quoted
                    and part.name.lower() == target.name.lower() and self.resolved(part) != self.resolved(target)):
                parts.append((key, target.copy(), new is None))
        return parts

    def sources(self, scope: "Scope") -> dict[str, object]:
        """``scope``'s sources by alias, with the tables its FROM and JOINs name now (a rule may have joined
        one since the scope was read)."""
        from sqlglot import exp

        from ..query import from_order

        tables = [table for table in from_order(scope.expression) if isinstance(table, exp.Table)
                  and table.name.lower() not in self.ctes] if isinstance(scope.expression, exp.Select) else []
        found = {alias: source for alias, source in scope.sources.items()
                 if not any(source is table for table in tables)}  # keyed by the name as it was written
        return found | {table.alias_or_name: table for table in tables}

    def source(self, column: "exp.Column", scope: "Scope") -> object:
        """The source ``column``'s qualifier names: of its scope or of a query around it (None: unknown)."""
        qualifier = column.table.lower()
        for outer in enclosing(scope):
            found = [source for alias, source in self.sources(outer).items() if alias.lower() == qualifier]
            if found:
                return found[0] if len(found) == 1 else None
        return None

    def column(self, column: "exp.Column", scope: "Scope") -> "exp.Identifier | None":
        """``column``'s name spelt as the one column of its sources that it matches when case is ignored."""
        if column.table:
            held = self.columns(self.source(column, scope))
        else:
            found = [self.columns(source) for source in self.sources(scope).values()]
            held = None if None in found else [name for names in found for name in dict.fromkeys(names)]
        return None if held is None else self.respelt(column.this, held)

    def columns(self, source: object, depth: int = 0) -> list[str] | None:
        """The column names of a source as the database holds them: a catalog table's, or the outputs of a
        subquery or CTE as it names them (None: unknown)."""
        from sqlglot import exp
        from sqlglot.optimizer.scope import Scope

        if depth > 8:
            return None
        if isinstance(source, exp.Table):
            table = self.table(source)[0]
            return None if table is None else [self.stored(c.name) for c in table.columns]
        if not isinstance(source, Scope) or not isinstance(source.expression, exp.Query):
            return None
        alias = source.expression.parent.args.get("alias") if source.expression.parent else None
        if isinstance(alias, exp.TableAlias) and alias.columns:
            return [self.resolved(identifier) for identifier in alias.columns]
        names: list[str] = []
        for projection in source.expression.selects:
            if projection.is_star:  # every column of its scope's sources, or of the one it names
                qualifier = projection.table.lower() if isinstance(projection, exp.Column) else ""
                starred = [self.columns(inner, depth + 1) for alias, inner in self.sources(source).items()
                           if not qualifier or alias.lower() == qualifier]
                if not starred or None in starred:
                    return None
                names += [name for found in starred for name in found]
            elif isinstance(projection, exp.Alias):
                names.append(self.resolved(projection.args["alias"]))
            else:
                names.append(self.output_name(projection))
        return names

    def output_name(self, projection: "exp.Expression") -> str:
        """The name of an output written without ``AS``: a column's own; in PostgreSQL a cast's operand's, a
        function's name (``count``, ``case``), else ``?column?``. Oracle and Snowflake name the rest by its
        text, which no plain name matches ("")."""
        from sqlglot import exp

        while self.strategy == "LOWERCASE" and isinstance(projection, exp.Cast):
            projection = projection.this
        if isinstance(projection, exp.Column) and isinstance(projection.this, exp.Identifier):
            return self.resolved(projection.this)
        if self.strategy != "LOWERCASE":
            return ""
        if isinstance(projection, exp.Anonymous):
            return str(projection.this).lower()
        return projection.sql_name().lower() if isinstance(projection, exp.Func) else "?column?"

    def note(self, was: "exp.Identifier", new: "exp.Identifier") -> str:
        return f"{was.sql(dialect=self.dialect)} written {new.sql(dialect=self.dialect)}: {self.reason}"


def in_projection(column: "exp.Column", select: "exp.Select") -> bool:
    """Whether ``column`` is part of ``select``'s list of outputs (not its WHERE, GROUP BY, ORDER BY ...)."""
    node = column
    while node.parent is not None and node.parent is not select:
        node = node.parent
    return node.arg_key == "expressions"

