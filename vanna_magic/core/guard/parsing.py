"""Parsing SQL for the firewall: dialect names, statements, and parse errors as sentences."""

from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

from ..data.dialects import sqlglot_name
from ..errors import ConfigurationError

if TYPE_CHECKING:
    from sqlglot import exp

DIALECTS = ("sqlite", "postgres", "oracle", "mysql", "duckdb")

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

    key = sqlglot_name(name)
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


def render(node: "exp.Expression", dialect: str, limit: int | None = None) -> str:
    """``node`` as SQL in ``dialect``, without comments, cut to ``limit`` characters when given."""
    with quiet_sqlglot():
        text = node.sql(dialect=dialect, comments=False)
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


_TOKEN_REPR = re.compile(r"<Token token_type: TokenType\.(\w+), text: (.*?), line: \d+.*?>")
_CLASS_REPR = re.compile(r"<class '(?:[\w.]+\.)?(\w+)'>")


def parse_message(exc: Any, dialect: str) -> str:
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


def highlight(exc: Any) -> str | None:
    errors = getattr(exc, "errors", None) or []
    return (errors[0].get("highlight") or None) if errors else None
