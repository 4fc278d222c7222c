"""Data policies: what each role may see, enforced by rewriting the statement's tree.

A policy file (YAML) maps roles to allowed and denied tables, denied columns, masked
columns and row filters::

    default_role: analyst            # optional: the role of users not listed under users
    users:                           # optional: identity (JUPYTERHUB_USER or OS user) -> role
      ann: admin
    roles:
      admin: {}                      # no restriction
      analyst:
        tables:
          allow: [orders, customers, order_items, products, regions]   # optional; unset = all
          deny: [suppliers]
        columns:
          deny: [customers.email]
          mask:
            customers.name: "substr(name, 1, 1) || '***'"
        rows:
          orders: "status <> 'cancelled'"

Every reference to a restricted table, wherever it appears (joins, subqueries, CTEs, set
operations, under any alias), becomes a subquery that selects only the visible columns,
masks the masked ones and keeps only the rows the filter allows, aliased as the original
reference.  Hidden columns therefore do not exist for the query at all: ``SELECT *`` cannot
reach them, and naming them is rejected (``policy_column``).  Tables outside the role
(and, under any policy, the system catalogs) are rejected (``policy_table``).

Views are tables to the policy: deny a view that exposes restricted data.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..errors import ConfigurationError

if TYPE_CHECKING:

    from ..data.schema import Table

ColumnResolver = Callable[[str | None, str], "list[str] | None"]  # (schema, table) -> column names

_SYSTEM_SCHEMAS = {"pg_catalog", "information_schema", "sys", "mysql", "performance_schema", "pg_toast"}
_SYSTEM_TABLES = ("pg_*", "sqlite_*", "dba_*", "all_tab_*", "user_tab_*", "v$*", "gv$*")
_ROLE_KEYS = {"tables", "columns", "rows"}


@dataclass(frozen=True)
class RolePolicy:
    """What one role may see.  Table keys are lower-case ``table`` or ``schema.table``."""

    role: str
    allow: frozenset[str] | None = None
    deny: frozenset[str] = frozenset()
    denied_columns: dict[str, frozenset[str]] = field(default_factory=dict)
    masks: dict[str, dict[str, str]] = field(default_factory=dict)
    rows: dict[str, str] = field(default_factory=dict)

    @property
    def unrestricted(self) -> bool:
        return self.allow is None and not (self.deny or self.denied_columns or self.masks or self.rows)

    def table_allowed(self, schema: str | None, name: str) -> bool:
        keys = _keys(schema, name)
        if any(k in self.deny for k in keys):
            return False
        if self.allow is not None:
            return any(k in self.allow for k in keys)
        return not _is_system(schema, name)

    def hidden_columns(self, schema: str | None, name: str) -> frozenset[str]:
        return _lookup(self.denied_columns, schema, name) or frozenset()

    def masks_for(self, schema: str | None, name: str) -> dict[str, str]:
        """Column -> the SQL expression shown instead of it, for one table."""
        return _lookup(self.masks, schema, name) or {}

    def row_filter(self, schema: str | None, name: str) -> str | None:
        """The condition a table's rows must meet for this role, if any."""
        return _lookup(self.rows, schema, name)

    def visible_tables(self, tables: "list[Table]") -> "list[Table]":
        """The catalog as this role may see it: for the prompt, so the model only learns what it may use."""
        visible = []
        for table in tables:
            if not self.table_allowed(table.schema, table.name):
                continue
            hidden = self.hidden_columns(table.schema, table.name)
            columns = tuple(c for c in table.columns if c.name.lower() not in hidden)
            keys = tuple(fk for fk in table.foreign_keys if self.table_allowed(None, fk.ref_table.split(".")[-1])
                         and not hidden.intersection(c.lower() for c in fk.columns))
            visible.append(dataclasses.replace(table, columns=columns, foreign_keys=keys))
        return visible

@dataclass(frozen=True)
class Policy:
    """A whole policy file: roles, who has which role, and the default role."""

    path: Path
    roles: dict[str, RolePolicy]
    users: dict[str, str] = field(default_factory=dict)
    default_role: str | None = None

    def role_for(self, user: str, role: str | None = None) -> RolePolicy:
        """The policy of ``role`` (a setting), else of the user's role, else of the default role."""
        name = role or self.users.get(user) or self.default_role
        if name is None:
            raise ConfigurationError(
                f"{self.path}: user {user!r} has no role and the policy has no default_role",
                hint="Set VannaMagic.role, list the user under 'users:', or add 'default_role:' to the policy.",
                setting="role")
        if name not in self.roles:
            raise ConfigurationError(f"{self.path}: role {name!r} is not defined in the policy",
                                     hint=f"Defined roles: {', '.join(sorted(self.roles))}.", setting="role")
        return self.roles[name]


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file; errors name the file, the line and what is wrong."""
    import yaml

    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read the policy file {path}: {exc.strerror or exc}",
                                 hint="Point VannaMagic.policy_file at a readable YAML file.",
                                 setting="policy_file") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _error(path, mark.line + 1 if mark else None,
                     f"is not valid YAML ({getattr(exc, 'problem', None) or exc})") from exc
    return _Reader(path).policy(node)


class _Reader:
    """Turns the composed YAML tree into a :class:`Policy`, with line numbers for every error."""

    def __init__(self, path: Path):
        self.path = path

    def policy(self, node: Any) -> Policy:
        top = self.mapping(node, "the policy", {"roles", "users", "default_role"})
        if "roles" not in top:
            raise _error(self.path, _line(node), "has no 'roles:' section", "Add roles: with at least one role.")
        roles = {name: self.role(name, value) for name, (value, _) in self.mapping(top["roles"][0], "roles").items()}
        users = {}
        if "users" in top:
            for user, (value, _) in self.mapping(top["users"][0], "users").items():
                users[user] = self.role_name(value, f"the role of user {user!r}", roles)
        default = None
        if "default_role" in top:
            default = self.role_name(top["default_role"][0], "default_role", roles)
        return Policy(self.path, roles, users, default)

    def role_name(self, node: Any, what: str, roles: dict) -> str:
        name = self.scalar(node, what)
        if name not in roles:
            raise _error(self.path, _line(node), f"{what} is {name!r}, which is not a role defined under roles:",
                         f"Defined roles: {', '.join(sorted(roles))}.")
        return name

    def role(self, name: str, node: Any) -> RolePolicy:
        import yaml

        if isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~"):
            return RolePolicy(name)
        parts = self.mapping(node, f"role {name!r}", _ROLE_KEYS)
        allow, deny, hidden, masks, rows = None, frozenset(), {}, {}, {}
        if "tables" in parts:
            tables = self.mapping(parts["tables"][0], f"tables of role {name!r}", {"allow", "deny"})
            if "allow" in tables:
                allow = frozenset(self.table_key(n) for n in self.sequence(tables["allow"][0], "tables.allow"))
            if "deny" in tables:
                deny = frozenset(self.table_key(n) for n in self.sequence(tables["deny"][0], "tables.deny"))
        if "columns" in parts:
            columns = self.mapping(parts["columns"][0], f"columns of role {name!r}", {"deny", "mask"})
            for item in self.sequence(columns["deny"][0], "columns.deny") if "deny" in columns else []:
                table, column = self.column_key(item)
                hidden[table] = hidden.get(table, frozenset()) | {column}
            for key, (value, _) in (self.mapping(columns["mask"][0], "columns.mask").items()
                                    if "mask" in columns else []):
                table, column = self.column_key(key, line=_line(value))
                masks.setdefault(table, {})[column] = self.expression(value, f"the mask of {key}")
        if "rows" in parts:
            for key, (value, _) in self.mapping(parts["rows"][0], f"rows of role {name!r}").items():
                rows[self.table_key(key, line=_line(value))] = self.expression(value, f"the row filter of {key}",
                                                                               predicate=True)
        return RolePolicy(name, allow, deny, hidden, masks, rows)

    def mapping(self, node: Any, what: str, allowed: set[str] | None = None) -> dict[str, tuple[Any, int]]:
        import yaml

        if not isinstance(node, yaml.MappingNode):
            raise _error(self.path, _line(node), f"{what} must be a mapping (key: value)")
        out: dict[str, tuple[Any, int]] = {}
        for key, value in node.value:
            name = self.scalar(key, f"a key of {what}")
            if allowed is not None and name not in allowed:
                close = fnmatch.filter(sorted(allowed), f"{name[:2]}*")
                raise _error(self.path, _line(key), f"unknown key {name!r} in {what}",
                             f"Did you mean {close[0]!r}?" if close else f"Allowed keys: {', '.join(sorted(allowed))}.")
            if name in out:
                raise _error(self.path, _line(key), f"{name!r} appears twice in {what}")
            out[name] = (value, _line(key))
        return out

    def sequence(self, node: Any, what: str) -> list[Any]:
        import yaml

        if not isinstance(node, yaml.SequenceNode):
            raise _error(self.path, _line(node), f"{what} must be a list, e.g. [orders, customers]")
        return list(node.value)

    def scalar(self, node: Any, what: str) -> str:
        import yaml

        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise _error(self.path, _line(node), f"{what} must be a non-empty text")
        return str(node.value).strip()

    def table_key(self, node: Any, line: int | None = None) -> str:
        text = node if isinstance(node, str) else self.scalar(node, "a table name")
        parts = text.lower().split(".")
        if len(parts) > 2 or not all(p.strip() for p in parts):
            raise _error(self.path, line or _line(node), f"{text!r} is not a table name (table or schema.table)")
        return ".".join(p.strip() for p in parts)

    def column_key(self, node: Any, line: int | None = None) -> tuple[str, str]:
        text = node if isinstance(node, str) else self.scalar(node, "a column name")
        table, dot, column = text.lower().rpartition(".")
        if not dot or not table or not column.strip():
            raise _error(self.path, line or _line(node), f"{text!r} must name its table: table.column",
                         "Write e.g. customers.email.")
        return self.table_key(table, line or _line(node)), column.strip()

    def expression(self, node: Any, what: str, predicate: bool = False) -> str:
        import sqlglot
        from sqlglot import exp
        from sqlglot.errors import SqlglotError

        text = self.scalar(node, what)
        try:
            parsed = sqlglot.parse_one(text)
        except SqlglotError as exc:
            raise _error(self.path, _line(node), f"{what} is not a SQL expression: {str(exc).splitlines()[0]}",
                         "Write an expression such as \"status <> 'cancelled'\" (quote it in YAML).") from exc
        if isinstance(parsed, (exp.Query, exp.Command)) or parsed.find(exp.DML, exp.DDL) is not None:
            raise _error(self.path, _line(node), f"{what} must be an expression, not a statement")
        if predicate and not isinstance(parsed, (exp.Predicate, exp.Connector, exp.Not, exp.Boolean, exp.Paren)):
            raise _error(self.path, _line(node), f"{what} must be a condition (true or false for each row)",
                         "Write e.g. \"region_id = 1\".")
        return text


def _keys(schema: str | None, name: str) -> tuple[str, ...]:
    name = name.lower()
    return (f"{schema.lower()}.{name}", name) if schema else (name,)


def _lookup(rules: dict, schema: str | None, name: str) -> Any:
    for key in _keys(schema, name):
        if key in rules:
            return rules[key]
    return None


def split_name(name: str) -> tuple[str | None, str]:
    schema, _, table = name.rpartition(".")
    return schema or None, table


def _is_system(schema: str | None, name: str) -> bool:
    return (schema or "").lower() in _SYSTEM_SCHEMAS or any(fnmatch.fnmatch(name.lower(), p) for p in _SYSTEM_TABLES)


def _line(node: Any) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _error(path: Path, line: int | None, what: str, hint: str | None = None) -> ConfigurationError:
    where = f"{path}:{line}" if line else str(path)
    return ConfigurationError(f"{where}: {what}", hint=hint or "Fix the policy file; see README 'Data policies'.",
                              setting="policy_file", path=str(path), line=line)


__all__ = ["ColumnResolver", "Policy", "RolePolicy", "load_policy"]
