"""Applying a :class:`~vanna_magic.core.guard.policy.RolePolicy` to a statement's tree.

Each reference to a real table (not a CTE, not a table function) is checked against the
role's tables, and a restricted one is replaced by ``(SELECT visible columns, masks FROM t
WHERE filter) AS alias``.  When a name could be either a CTE or a table, it is treated as
the table: a wrong guess makes a query fail, never leak.  Names compare as the dialect compares
them (:mod:`.names`): on PostgreSQL ``WITH "CUSTOMERS" AS (...) SELECT ... FROM customers`` reads the
table ``customers``, which gets its policy.  A role's allowed tables are listed by their unquoted
names, so a reference must name what that spelling names (``"ORDERS"`` is not ``orders`` on
PostgreSQL); denied tables, hidden and masked columns and row filters apply to a name in any case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .names import as_listed, same_relation
from .parsing import parse_statements, render
from .policy import split_name
from .verdict import Rejection

if TYPE_CHECKING:
    from sqlglot import exp

    from .policy import ColumnResolver, RolePolicy


def apply_policy(policy: "RolePolicy", root: "exp.Expression", dialect: str,
                 columns: "ColumnResolver | None") -> tuple["exp.Expression", list[str]]:
    tables = check_references(policy, root, dialect)
    notes = []
    for table in tables:
        note = _wrap(policy, table, dialect, columns)
        if note:
            notes.append(note)
    return root, sorted(set(notes))


def can_read(policy: "RolePolicy", sql: str, dialect: str) -> bool:
    """Whether ``sql`` only reads tables and columns this role may see (e.g. a knowledge-base example)."""
    from sqlglot.errors import SqlglotError

    if policy.unrestricted:
        return True
    try:
        for root in parse_statements(sql, dialect):
            check_references(policy, root, dialect)
    except Rejection:
        return False
    except (SqlglotError, RecursionError):
        return True  # not ours to judge here: the firewall rejects it if it is ever run
    return True


def can_use(policy: "RolePolicy", tables: "tuple[str, ...] | list[str]", sql: str | None, dialect: str) -> bool:
    """Whether a knowledge-base definition or document (its tables, its SQL expression) is within the role."""
    if policy.unrestricted:
        return True
    if not all(policy.table_allowed(*split_name(name)) for name in tables if name):
        return False
    return not (sql and tables) or can_read(policy, f"SELECT {sql} FROM {', '.join(tables)}", dialect)


def check_references(policy: "RolePolicy", root: "exp.Expression", dialect: str) -> list["exp.Table"]:
    """The real tables ``root`` reads; raises when one, or a hidden column, is outside the role."""
    from sqlglot import exp

    tables = [t for t in root.find_all(exp.Table) if _is_real_table(t, dialect)]
    for table in tables:
        listed = policy.allow is None or all(as_listed(part, dialect) for part in table.parts
                                             if isinstance(part, exp.Identifier))
        if not (listed and policy.table_allowed(table.db or None, table.name)):
            raise Rejection("policy_table", f"role {policy.role!r} may not read {render(table, dialect)}",
                            node=render(table, dialect),
                            hint="Use only the tables your role may see (%vanna schema lists them).")
    _check_hidden_columns(policy, root, tables, dialect)
    return tables


def _is_real_table(table: "exp.Table", dialect: str) -> bool:
    from sqlglot import exp

    if not isinstance(table.this, exp.Identifier):  # a table function: generate_series(1, 3), json_each(x)
        return False
    return not _is_cte_reference(table, dialect)


def _is_cte_reference(table: "exp.Table", dialect: str) -> bool:
    """True when ``table`` names a CTE visible where it stands (SQL scoping of WITH), as the dialect compares."""
    from sqlglot import exp

    if table.args.get("db") or table.args.get("catalog"):
        return False
    name = table.this

    def named(ctes: "list[exp.CTE]") -> bool:
        return any(same_relation(_cte_name(cte), name, dialect) for cte in ctes)

    node: exp.Expression = table
    while node.parent is not None:
        parent = node.parent
        if isinstance(parent, exp.CTE) and isinstance(parent.parent, exp.With):
            with_ = parent.parent
            ctes = list(with_.expressions)
            visible = ctes[: ctes.index(parent) + (1 if with_.args.get("recursive") else 0)]
            if named(visible):
                return True
            node = with_.parent if with_.parent is not None else with_
            if node is with_:
                return False
            continue
        with_ = parent.args.get("with_") or parent.args.get("with")
        if isinstance(with_, exp.With) and node is not with_:
            if named(list(with_.expressions)):
                return True
        node = parent
    return False


def _cte_name(cte: "exp.CTE") -> "exp.Identifier | str":
    from sqlglot import exp

    alias = cte.args.get("alias")
    return alias.this if isinstance(alias, exp.TableAlias) and isinstance(alias.this, exp.Identifier) else cte.alias


def _check_hidden_columns(policy: "RolePolicy", root: "exp.Expression", tables: list["exp.Table"],
                          dialect: str) -> None:
    """Naming a hidden column is an error with a reason, not just a database error about a missing column."""
    from sqlglot import exp

    hidden_by_ref: dict[str, frozenset[str]] = {}
    for table in tables:
        hidden = policy.hidden_columns(table.db or None, table.name)
        if hidden:
            hidden_by_ref[table.alias_or_name.lower()] = hidden_by_ref.get(table.alias_or_name.lower(),
                                                                           frozenset()) | hidden
    if not hidden_by_ref:
        return
    every = frozenset().union(*hidden_by_ref.values())
    for column in root.find_all(exp.Column):
        name = column.name.lower()
        qualifier = column.table.lower()
        if (qualifier and name in hidden_by_ref.get(qualifier, ())) or (not qualifier and name in every):
            raise Rejection("policy_column", f"role {policy.role!r} may not read the column {column.name!r}",
                            node=render(column, dialect),
                            hint="Leave that column out; the role's policy hides it.")


def _wrap(policy: "RolePolicy", table: "exp.Table", dialect: str, columns: "ColumnResolver | None") -> str | None:
    import sqlglot
    from sqlglot import exp

    schema = table.db or None
    hidden = policy.hidden_columns(schema, table.name)
    masks = policy.masks_for(schema, table.name)
    row_filter = policy.row_filter(schema, table.name)
    if not (hidden or masks or row_filter):
        return None
    if hidden or masks:
        names = columns(schema, table.name) if columns is not None else None
        if not names:
            raise Rejection("policy_column", f"the columns of {render(table, dialect)} are unknown, so its hidden "
                            "and masked columns cannot be enforced", node=render(table, dialect),
                            hint="Check the connection's catalog (%vanna schema --refresh).")
        projection = []
        for name in names:
            key = name.lower()
            if key in hidden:
                continue
            column = exp.column(name, quoted=True)
            if key in masks:
                projection.append(exp.alias_(sqlglot.parse_one(masks[key], read=dialect), column.this.copy()))
            else:
                projection.append(column)
    else:
        projection = [exp.Star()]
    inner = table.copy()
    for arg in ("alias", "pivots", "joins", "laterals"):
        inner.set(arg, None)
    select = exp.Select(expressions=projection).from_(inner)
    if row_filter:
        select = select.where(sqlglot.parse_one(row_filter, read=dialect))
    alias = table.args.get("alias")
    alias = alias.copy() if alias is not None else exp.TableAlias(this=table.this.copy())
    subquery = exp.Subquery(this=select, alias=alias)
    if table.args.get("pivots"):
        subquery.set("pivots", table.args["pivots"])
    table.replace(subquery)
    parts = [what for what, on in (("row_filter", row_filter), ("hidden_columns", hidden), ("masks", masks)) if on]
    return f"policy: {table.name} ({', '.join(parts)})"
