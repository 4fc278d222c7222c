"""The :class:`Firewall`: rules checked on sqlglot's tree, then the policy and row-cap rewrites."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable, Iterable

from ..errors import ConfigurationError, FirewallError
from .allowlist import Allowlist
from .audit import AuditEvent, current_user, sql_hash
from .bare_calls import bare_call
from .external_access import DIALECT as EXTERNAL_ACCESS_DIALECT
from .external_access import check as external_access
from .functions import Denylist
from .parsing import highlight, parse_message, parse_statements, render, sqlglot_dialect
from .policy_apply import apply_policy
from .rowcap import cap_rows
from .statements import HINTS, WHY, dml_types, kind, statement_rule, statement_types
from .verdict import Rejection, Verdict

if TYPE_CHECKING:
    from sqlglot import exp

    from .policy import ColumnResolver, RolePolicy

_NODE_CHARS = 200
# Rules of one dialect, checked on the whole tree before the function lists: ``check(root)`` raises a Rejection.
_DIALECT_RULES = {EXTERNAL_ACCESS_DIALECT: (external_access,)}
_log = logging.getLogger(__name__)


class Firewall:
    """Checks and rewrites SQL for one dialect with one row cap.

    Args:
        dialect: a sqlglot dialect name (``sqlite``, ``postgres``, ``oracle``, ``mysql``, ``duckdb``).
        max_rows: the row cap given to the outermost query.
        policy: the data policy of the user's role (tables, columns, masks, row filters), if any.
        columns: looks up a table's column names, for policies that hide or mask columns.
        on_reject: called with an :class:`AuditEvent` for every rejected statement.
        user: who is asking (for audit events); ``JUPYTERHUB_USER`` or the OS user by default.
        allowed_functions: names of functions a team allows beyond the dialect's reviewed list
            (``fiscal_quarter``, ``analytics.fiscal_quarter``); a denied function can never be allowed.
    """

    def __init__(self, dialect: str, max_rows: int, *, policy: "RolePolicy | None" = None,
                 columns: "ColumnResolver | None" = None, on_reject: Callable[[AuditEvent], None] | None = None,
                 user: str | None = None, allowed_functions: Iterable[str] = ()):
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
            raise ConfigurationError(f"max_rows must be a positive integer, got {max_rows!r}",
                                     hint="Set VANNA_MAGIC_MAX_ROWS (or --limit) to e.g. 1000.", setting="max_rows")
        self.dialect = sqlglot_dialect(dialect)
        self.max_rows = max_rows
        self.policy = policy
        self.columns = columns
        self.on_reject = on_reject
        self.user = user
        self.denylist = Denylist.for_dialect(self.dialect)
        self.allowlist = Allowlist(self.dialect, allowed_functions)

    def __repr__(self) -> str:
        role = f", role={self.policy.role!r}" if self.policy is not None else ""
        return f"Firewall(dialect={self.dialect!r}, max_rows={self.max_rows}{role})"

    def check(self, sql: str) -> Verdict:
        """Decide whether ``sql`` may run; when it may, return it rewritten (policy, row cap)."""
        try:
            return self._check(sql)
        except Rejection as rejection:
            self._audit(sql, rejection.verdict)
            return rejection.verdict

    def enforce(self, sql: str) -> str:
        """Return the statement as it will run, or raise :class:`FirewallError` naming the rule."""
        verdict = self.check(sql)
        if not verdict.allowed:
            raise FirewallError(verdict.message or "the firewall rejected the statement", rule=verdict.rule,
                                sql=sql, node=verdict.node, hint=verdict.hint)
        assert verdict.sql is not None
        return verdict.sql

    def reject(self, sql: str, rule: str, message: str, hint: str | None = None) -> None:
        """Refuse ``sql`` for a rule checked outside the tree (e.g. the cost guard): audited like any rejection."""
        verdict = Verdict(allowed=False, sql=None, rule=rule, message=message, hint=hint)
        self._audit(sql, verdict)
        raise FirewallError(message, rule=rule, sql=sql, hint=hint)

    def _check(self, sql: str) -> Verdict:
        root = self._parse_one(sql)
        self._check_tree(root, sql)
        rewrites: list[str] = []
        if self.policy is not None and not self.policy.unrestricted:
            root, notes = apply_policy(self.policy, root, self.dialect, self.columns)
            rewrites.extend(notes)
        root, rewrite = cap_rows(root, self.max_rows, self.dialect)
        if rewrite:
            rewrites.insert(0, rewrite)
        return Verdict(allowed=True, sql=render(root, self.dialect), rewrites=tuple(rewrites))

    def _parse_one(self, sql: str) -> "exp.Expression":
        from sqlglot.errors import ParseError, SqlglotError, TokenError

        try:
            statements = parse_statements(sql or "", self.dialect)
        except ParseError as exc:
            raise Rejection("parse_error", parse_message(exc, self.dialect), node=highlight(exc),
                            hint="Fix the syntax at that position; the firewall only runs SQL it can parse.") from None
        except TokenError as exc:
            raise Rejection("parse_error", f"the SQL does not parse as {self.dialect}: {exc}",
                            hint="Look for an unterminated string, quoted identifier or comment.") from None
        except (SqlglotError, RecursionError) as exc:
            raise Rejection("parse_error", f"the SQL does not parse as {self.dialect}: {type(exc).__name__}",
                            hint="Simplify the statement; the firewall only runs SQL it can parse.") from None
        except (AttributeError, TypeError, ValueError, IndexError, KeyError):
            # sqlglot itself failed on this input (e.g. MySQL DATE_ADD with one argument): refuse, never crash.
            raise Rejection("parse_error", f"the SQL does not parse as {self.dialect}: the parser could not read it",
                            hint="Check the calls' arguments; the firewall only runs SQL it can parse.") from None
        if not statements:
            raise Rejection("empty", "there is no SQL statement to run", hint="Write one SELECT query.")
        if len(statements) > 1:
            raise Rejection("single_statement", f"found {len(statements)} statements; only one statement may run "
                            "at a time", node=self._render(statements[1]),
                            hint="Send a single SELECT query, with nothing after its ';'.")
        return _unwrap(statements[0])

    def _check_tree(self, root: "exp.Expression", sql: str) -> None:
        from sqlglot import exp

        if not isinstance(root, (exp.Select, exp.SetOperation, exp.Subquery)):
            self._not_a_query(root)
        for rule in _DIALECT_RULES.get(self.dialect, ()):
            rule(root)
        statements, dml = statement_types(), dml_types()
        calls: list[exp.Func] = []
        for node in root.walk():
            if isinstance(node, dml):
                if node.find_ancestor(exp.CTE) is None:
                    self._not_a_query(node)
                raise Rejection("data_modifying_cte", f"the WITH clause contains {kind(node)}; common table "
                                "expressions must be read-only", node=self._render(node),
                                hint="Use only SELECT queries inside WITH.")
            if isinstance(node, statements):
                self._not_a_query(node)
            if isinstance(node, exp.Into):
                raise Rejection("select_into", "SELECT ... INTO creates a table; only read-only queries may run",
                                node=self._render(node), hint="Remove the INTO clause and select the rows.")
            if isinstance(node, exp.Lock):
                raise Rejection("locking_clause", f"{self._render(node)} locks rows; locking clauses are not "
                                "allowed in read-only queries", node=self._render(node),
                                hint="Remove the FOR UPDATE / FOR SHARE clause.")
            if isinstance(node, exp.Func):
                name = self.denylist.offending_name(node)
                if name is not None:
                    self._forbidden(node, name)
                calls.append(node)
            why = bare_call(node, self.dialect, self.denylist)
            if why is not None:
                raise Rejection("forbidden_function", f"{self._render(node)} {why}; only functions that read data "
                                "may run", node=self._render(node), hint=f"Remove {self._render(node)}.")
        for call in calls:  # after every other rule: a denied call inside an unknown one is named as denied
            name = self.allowlist.unknown_name(call, sql)
            if name is not None:
                self._unknown(call, name)

    def _forbidden(self, call: "exp.Expression", name: str) -> None:
        from sqlglot import exp

        while isinstance(call.parent, exp.Dot) and call.parent.expression is call:  # SYS.DBMS_LOCK.SLEEP(5)
            call = call.parent
        called = self._render(call).split("(", 1)[0]
        raise Rejection("forbidden_function", f"{called}() is not allowed on {self.dialect}: {name} has side "
                        "effects or reaches beyond the database", node=self._render(call),
                        hint=f"Remove the call to {called}; only functions that read data may run.")

    def _unknown(self, call: "exp.Expression", name: str) -> None:
        from sqlglot import exp

        while isinstance(call.parent, exp.Dot) and call.parent.expression is call:
            call = call.parent
        raise Rejection("unknown_function", f"{name}() is not on the list of functions allowed on {self.dialect}",
                        node=self._render(call),
                        hint=f"If {name} only reads data, add it to the setting allowed_functions "
                        f"(%config VannaMagic.allowed_functions = '{name}', or allowed_functions in "
                        "[tool.vanna_magic]); otherwise remove the call.")

    def _not_a_query(self, node: "exp.Expression") -> None:
        rule = statement_rule(node)
        raise Rejection(rule, WHY[rule].format(kind=kind(node)), node=self._render(node), hint=HINTS[rule])

    def _audit(self, sql: str, verdict: Verdict) -> None:
        if self.on_reject is None:
            return
        event = AuditEvent(user=self.user or current_user(), rule=verdict.rule or "unknown", sql_hash=sql_hash(sql),
                           dialect=self.dialect, role=self.policy.role if self.policy is not None else None)
        try:
            self.on_reject(event)
        except Exception:  # an audit sink that fails must not turn a rejection into a crash
            _log.exception("could not record the audit event for a rejected statement (rule %s)", verdict.rule)

    def _render(self, node: "exp.Expression", limit: int | None = _NODE_CHARS) -> str:
        # Comments are dropped from what we emit: the executed SQL is the canonical tree, and
        # no comment text (however it is quoted) can end up next to the row cap.
        return render(node, self.dialect, limit)


def _unwrap(root: "exp.Expression") -> "exp.Expression":
    """``((SELECT ...))`` is the SELECT itself; parentheses with modifiers or an alias are kept."""
    from sqlglot import exp

    while isinstance(root, exp.Subquery) and set(k for k, v in root.args.items() if v) == {"this"}:
        root = root.this
    return root

