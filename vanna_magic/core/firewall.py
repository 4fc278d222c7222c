"""The SQL firewall: decides on sqlglot's syntax tree whether a statement may run.

A statement runs only when it is one read-only query (SELECT, a set operation, or
WITH ... SELECT) with no data-modifying CTE, no ``SELECT ... INTO`` and no locking
clause anywhere in its tree.  Accepted statements get the row cap and are rendered
in the connection's dialect.  Rules, in the order they are checked:

    parse_error, empty, single_statement, read_only, data_modifying_cte,
    select_into, locking_clause

>>> Firewall("sqlite", max_rows=100).enforce("select * from t;")
'SELECT * FROM t LIMIT 100'
"""

from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from .errors import ConfigurationError, FirewallError

if TYPE_CHECKING:
    from sqlglot import exp

DIALECTS = ("sqlite", "postgres", "oracle", "mysql", "duckdb")
_ALIASES = {"postgresql": "postgres", "pg": "postgres", "psql": "postgres", "mssql": "tsql", "sqlserver": "tsql",
            "mariadb": "mysql"}
_NODE_CHARS = 200

_quiet = threading.local()


class _QuietFilter(logging.Filter):
    """Drops sqlglot's log records raised inside :func:`quiet_sqlglot` on the current thread."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_quiet, "on", False)


logging.getLogger("sqlglot").addFilter(_QuietFilter())


@contextmanager
def quiet_sqlglot() -> Iterator[None]:
    """Silence sqlglot's warnings (e.g. its fallback to ``Command``): we report outcomes ourselves."""
    previous = getattr(_quiet, "on", False)
    _quiet.on = True
    try:
        yield
    finally:
        _quiet.on = previous


def sqlglot_dialect(name: str) -> str:
    """Map a dialect or SQLAlchemy backend name (``postgresql+psycopg``) to sqlglot's name."""
    from sqlglot.dialects.dialect import Dialect

    key = (name or "").split("+", 1)[0].strip().lower()
    key = _ALIASES.get(key, key)
    try:
        Dialect.get_or_raise(key)
    except ValueError as exc:
        raise ConfigurationError(f"unknown SQL dialect {name!r}", hint=f"Use one of: {', '.join(DIALECTS)}.",
                                 setting="dialect") from exc
    return key


def parse_statements(sql: str, dialect: str) -> list["exp.Expression"]:
    """Parse ``sql`` into its statements, dropping empty ones (``;;``) and comment-only tails.

    Raises sqlglot's ``ParseError`` / ``TokenError``; callers convert them.
    """
    import sqlglot
    from sqlglot import exp

    with quiet_sqlglot():
        parsed = sqlglot.parse(sql, read=dialect)
    return [node for node in parsed if node is not None and not isinstance(node, exp.Semicolon)]


@dataclass(frozen=True)
class Verdict:
    """What the firewall decided about one statement, and why."""

    allowed: bool
    sql: str | None  # the statement as it will be executed (rewritten), when allowed
    rule: str | None = None  # the rule that fired, when rejected
    message: str | None = None
    node: str | None = None  # the offending part of the tree, rendered as SQL
    hint: str | None = None
    rewrites: tuple[str, ...] = ()  # e.g. ("row_cap: LIMIT 1000",)


class Firewall:
    """Checks and rewrites SQL for one dialect with one row cap.

    Args:
        dialect: a sqlglot dialect name (``sqlite``, ``postgres``, ``oracle``, ``mysql``, ``duckdb``).
        max_rows: the row cap given to the outermost query.
    """

    def __init__(self, dialect: str, max_rows: int):
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
            raise ConfigurationError(f"max_rows must be a positive integer, got {max_rows!r}",
                                     hint="Set VANNA_MAGIC_MAX_ROWS (or --limit) to e.g. 1000.", setting="max_rows")
        self.dialect = sqlglot_dialect(dialect)
        self.max_rows = max_rows

    def __repr__(self) -> str:
        return f"Firewall(dialect={self.dialect!r}, max_rows={self.max_rows})"

    def check(self, sql: str) -> Verdict:
        """Decide whether ``sql`` may run; when it may, return it rewritten with the row cap."""
        from sqlglot.errors import ParseError, SqlglotError, TokenError

        try:
            statements = parse_statements(sql or "", self.dialect)
        except ParseError as exc:
            return self._reject("parse_error", _parse_message(exc, self.dialect), node=_highlight(exc),
                                hint="Fix the syntax at that position; the firewall only runs SQL it can parse.")
        except TokenError as exc:
            return self._reject("parse_error", f"the SQL does not parse as {self.dialect}: {exc}",
                                hint="Look for an unterminated string, quoted identifier or comment.")
        except (SqlglotError, RecursionError) as exc:
            return self._reject("parse_error", f"the SQL does not parse as {self.dialect}: {type(exc).__name__}",
                                hint="Simplify the statement; the firewall only runs SQL it can parse.")
        if not statements:
            return self._reject("empty", "there is no SQL statement to run", hint="Write one SELECT query.")
        if len(statements) > 1:
            return self._reject("single_statement",
                                f"found {len(statements)} statements; only one statement may run at a time",
                                node=self._render(statements[1]),
                                hint="Send a single SELECT query, with nothing after its ';'.")
        root = _unwrap(statements[0])
        rejection = self._find_violation(root)
        if rejection is not None:
            return rejection
        root, rewrite = _cap_rows(root, self.max_rows, self.dialect)
        return Verdict(allowed=True, sql=self._render(root, limit=None), rewrites=(rewrite,) if rewrite else ())

    def enforce(self, sql: str) -> str:
        """Return the statement as it will run, or raise :class:`FirewallError` naming the rule."""
        verdict = self.check(sql)
        if not verdict.allowed:
            raise FirewallError(verdict.message or "the firewall rejected the statement", rule=verdict.rule,
                                sql=sql, node=verdict.node, hint=verdict.hint)
        assert verdict.sql is not None
        return verdict.sql

    def _find_violation(self, root: "exp.Expression") -> Verdict | None:
        from sqlglot import exp

        if not isinstance(root, (exp.Select, exp.SetOperation, exp.Subquery)):
            return self._read_only(root)
        for node in root.walk():
            if isinstance(node, _dml()):
                if node.find_ancestor(exp.CTE) is None:
                    return self._read_only(node)
                return self._reject("data_modifying_cte",
                                    f"the WITH clause contains {_kind(node)}; common table expressions must be "
                                    "read-only", node=self._render(node),
                                    hint="Use only SELECT queries inside WITH.")
            if isinstance(node, _statements()):
                return self._read_only(node)
            if isinstance(node, exp.Into):
                return self._reject("select_into", "SELECT ... INTO creates a table; only read-only queries may run",
                                    node=self._render(node), hint="Remove the INTO clause and select the rows.")
            if isinstance(node, exp.Lock):
                return self._reject("locking_clause", f"{self._render(node)} locks rows; locking clauses are not "
                                    "allowed in read-only queries", node=self._render(node),
                                    hint="Remove the FOR UPDATE / FOR SHARE clause.")
        return None

    def _read_only(self, node: "exp.Expression") -> Verdict:
        return self._reject("read_only", f"only read-only queries may run: {_kind(node)} is not a SELECT",
                            node=self._render(node),
                            hint="Rewrite it as a single SELECT; writes, DDL and session commands never run.")

    def _reject(self, rule: str, message: str, node: str | None = None, hint: str | None = None) -> Verdict:
        return Verdict(allowed=False, sql=None, rule=rule, message=message, node=node, hint=hint)

    def _render(self, node: "exp.Expression", limit: int | None = _NODE_CHARS) -> str:
        # Comments are dropped from what we emit: the executed SQL is the canonical tree, and
        # no comment text (however it is quoted) can end up next to the row cap.
        with quiet_sqlglot():
            text = node.sql(dialect=self.dialect, comments=False)
        return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def is_statement(node: "exp.Expression") -> bool:
    """True for a whole statement (query, DML, DDL, command); False for a bare expression like ``No SQL``."""
    from sqlglot import exp

    return isinstance(node, (exp.Query, exp.Values, _statements()))


def _dml() -> tuple[type, ...]:
    from sqlglot import exp

    return (exp.Insert, exp.Update, exp.Delete, exp.Merge)


def _statements() -> tuple[type, ...]:
    """Node types that are statements of their own: never allowed anywhere inside a query."""
    from sqlglot import exp

    return (exp.DDL, exp.DML, exp.Drop, exp.Alter, exp.TruncateTable, exp.Command, exp.Pragma, exp.Set,
            exp.Attach, exp.Detach, exp.Grant, exp.Revoke, exp.Transaction, exp.Commit, exp.Rollback, exp.Use,
            exp.Analyze, exp.Kill, exp.Describe)


def _kind(node: "exp.Expression") -> str:
    """The statement's name as a person would say it: ``DELETE``, ``DROP TABLE``, ``VACUUM``."""
    from sqlglot import exp

    if isinstance(node, exp.Command) and str(node.this).strip():
        return str(node.this).upper()
    if isinstance(node, (exp.Create, exp.Drop, exp.Alter)) and node.args.get("kind"):
        return f"{node.key.upper()} {str(node.args['kind']).upper()}"
    if isinstance(node, (exp.Condition, exp.Alias)):  # e.g. ``REINDEX`` parses as a column
        with quiet_sqlglot():
            text = node.sql(comments=False)
        return repr(text if len(text) <= 40 else text[:37] + "...")
    return {"truncatetable": "TRUNCATE", "transaction": "BEGIN"}.get(node.key, node.key.upper())


def _unwrap(root: "exp.Expression") -> "exp.Expression":
    """``((SELECT ...))`` is the SELECT itself; parentheses with modifiers or an alias are kept."""
    from sqlglot import exp

    while isinstance(root, exp.Subquery) and set(k for k, v in root.args.items() if v) == {"this"}:
        root = root.this
    return root


def _literal_int(node: Any) -> int | None:
    from sqlglot import exp

    if isinstance(node, exp.Literal) and not node.is_string and re.fullmatch(r"\d+", str(node.this)):
        return int(node.this)
    return None


def _cap_rows(query: "exp.Query", cap: int, dialect: str) -> tuple["exp.Query", str | None]:
    """Give the outermost query ``LIMIT cap`` (rendered per dialect, e.g. ``FETCH FIRST`` on Oracle)."""
    from sqlglot import exp

    limit = query.args.get("limit")
    if limit is None:
        query.set("limit", exp.Limit(expression=exp.Literal.number(cap)))
        return query, f"row_cap: LIMIT {cap}"
    with quiet_sqlglot():
        was = f"row_cap: LIMIT {cap} (was {limit.sql(dialect=dialect, comments=False)})"
    options = limit.args.get("limit_options")
    if options is not None and (options.args.get("percent") or options.args.get("with_ties")):
        # PERCENT and WITH TIES are not row counts: bound them from outside.
        return exp.select("*").from_(query.subquery("capped")).limit(cap), was
    if isinstance(limit, exp.Fetch):
        count = limit.args.get("count")
        current = 1 if count is None else _literal_int(count)  # FETCH FIRST ROW ONLY is one row
        if current is not None and current <= cap:
            return query, None
        limit.set("count", exp.Literal.number(cap))
        return query, was
    if not isinstance(limit, exp.Limit):
        query.set("limit", exp.Limit(expression=exp.Literal.number(cap)))
        return query, was
    current = _literal_int(limit.expression)
    if current is not None and current <= cap:
        return query, None
    # LIMIT ALL, LIMIT -1 (no limit on SQLite), LIMIT $1: anything we cannot bound becomes the cap.
    limit.set("expression", exp.Literal.number(cap))  # in place: an OFFSET held by the LIMIT node stays
    return query, was


_TOKEN_REPR = re.compile(r"<Token token_type: TokenType\.(\w+), text: (.*?), line: \d+.*?>")
_CLASS_REPR = re.compile(r"<class '(?:[\w.]+\.)?(\w+)'>")


def _parse_message(exc: Any, dialect: str) -> str:
    """sqlglot's first parse error as one sentence with its line and column."""
    errors = getattr(exc, "errors", None) or []
    if not errors:
        return f"the SQL does not parse as {dialect}: {str(exc).splitlines()[0]}"
    first = errors[0]
    description = str(first.get("description") or "invalid syntax")
    description = _CLASS_REPR.sub(r"\1", _TOKEN_REPR.sub(_token_words, description))
    where = ""
    if first.get("line"):
        where = f" at line {first['line']}, column {first.get('col')}"
        if first.get("highlight"):
            where += f" near {first['highlight']!r}"
    return f"the SQL does not parse as {dialect}: {description}{where}"


def _token_words(match: "re.Match[str]") -> str:
    return "the end of the SQL" if match.group(1) == "SENTINEL" else repr(match.group(2))


def _highlight(exc: Any) -> str | None:
    errors = getattr(exc, "errors", None) or []
    return (errors[0].get("highlight") or None) if errors else None


__all__ = ["DIALECTS", "Firewall", "Verdict", "is_statement", "parse_statements", "quiet_sqlglot", "sqlglot_dialect"]
