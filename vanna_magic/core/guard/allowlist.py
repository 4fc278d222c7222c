"""Functions are allowed by list (rule ``unknown_function``): deny by default.

A call may run when sqlglot models it as a typed expression (``exp.Func`` subclasses other
than ``exp.Anonymous``; those with side effects are refused earlier, see
:data:`.functions.EFFECTFUL_TYPES`), or when its name is on the dialect's reviewed list
(:mod:`.function_lists`) or on the team's ``allowed_functions`` setting.  Anything else,
a method of an object type (``XMLTYPE(...).EXTRACT(...)``) included, is refused.

Names compare as the dialect compares them: PostgreSQL folds unquoted names to lower case,
so ``"LOWER"(x)`` is not ``lower(x)``; Oracle folds them to upper case; MySQL, MariaDB,
SQLite and DuckDB ignore the case of function names.

>>> Allowlist("postgres").unknown_name(__import__("sqlglot").parse_one("SELECT query_to_xml('x', true, true, '')",
...     read="postgres").selects[0])
'query_to_xml'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..config import FUNCTION_NAME
from ..errors import ConfigurationError
from .function_lists import SYSTEM_SCHEMAS, reviewed
from .functions import DENIED, Denylist

if TYPE_CHECKING:
    from sqlglot import exp

# Typed by sqlglot, yet they parse XML text (and so, on Oracle, may resolve external entities): a list decides.
_UNREVIEWED_TYPES = frozenset({"XMLTable", "XMLGet", "CheckXml"})


class Allowlist:
    """The functions one dialect may call: typed expressions, its reviewed list and the team's extra names."""

    def __init__(self, dialect: str, extra: Iterable[str] = ()):
        from sqlglot.dialects.dialect import Dialect

        self.dialect = dialect
        self.strategy = Dialect.get_or_raise(dialect).NORMALIZATION_STRATEGY.name
        self.names = reviewed(dialect)
        self.system = SYSTEM_SCHEMAS.get(dialect, frozenset())
        self.extra = frozenset(check_extra_name(name, dialect) for name in extra)

    def unknown_name(self, node: "exp.Func", sql: str | None = None) -> str | None:
        """The name of the call ``node`` when it is not allowed; None when it may run.

        ``sql``: the statement ``node`` was parsed from.  sqlglot keeps no quotes on the name of a typed
        function, but records where the name stands: a quoted name (``"LOWER"(x)`` on PostgreSQL) that the
        dialect does not fold to the built-in's is another function, and must be listed.
        """
        qualifier = _qualifier(node)
        if _typed(node) and qualifier == ():
            written = _written_quoted(node, sql)
            return None if written is None or self._key(written, True) == written.lower() else written
        name, quoted = _call_name(node)
        if qualifier is None:  # a method of an object: XMLTYPE('<a/>').EXTRACT('/a')
            return name
        key = self._key(name, quoted)
        if not qualifier:
            return None if key in self.names or key in self.extra else name
        schema = ".".join(self._key(part.name, part.quoted) for part in qualifier)
        if (schema in self.system and key in self.names) or f"{schema}.{key}" in self.extra:
            return None
        return f"{'.'.join(part.name for part in qualifier)}.{name}"

    def _key(self, name: str, quoted: bool) -> str:
        """``name`` as the dialect resolves it, lower-cased when that is the same function; a quoted name in
        another case than the dialect folds to names another function and keeps its quotes."""
        if not quoted or self.strategy.startswith("CASE_INSENSITIVE") or self.dialect in ("mysql", "sqlite"):
            return name.lower()
        folded = name.upper() if self.strategy == "UPPERCASE" else name.lower()
        return name.lower() if name == folded else f'"{name}"'


def check_extra_name(name: str, dialect: str | None = None) -> str:
    """A name of the ``allowed_functions`` setting, lower-cased; refused when malformed or denied."""
    text = str(name).strip()
    if not FUNCTION_NAME.match(text):
        raise ConfigurationError(f"allowed_functions: {text!r} is not a function name",
                                 hint="Write names like fiscal_quarter or analytics.fiscal_quarter, "
                                 "separated by commas.", setting="allowed_functions")
    for target in (dialect,) if dialect else tuple(DENIED):
        denied = Denylist.for_dialect(target)
        if any(denied.matches(part) for part in text.split(".")):
            raise ConfigurationError(f"allowed_functions: {text} has side effects or reaches beyond the database "
                                     f"on {target} and can never be allowed", setting="allowed_functions",
                                     hint="Remove it from allowed_functions.")
    return text.lower()


def _typed(node: "exp.Func") -> bool:
    from sqlglot import exp

    anonymous = (exp.Anonymous, exp.AnonymousAggFunc, exp.ParameterizedAgg)
    return not isinstance(node, anonymous) and type(node).__name__ not in _UNREVIEWED_TYPES


def _call_name(node: "exp.Func") -> tuple[str, bool]:
    from sqlglot import exp

    if _typed(node) or type(node).__name__ in _UNREVIEWED_TYPES:
        return type(node).sql_names()[0].lower() if type(node).sql_names() else node.key, False
    this = node.this
    if isinstance(this, exp.Identifier):
        return this.name, bool(this.quoted)
    return str(node.name), False


def _written_quoted(node: "exp.Func", sql: str | None) -> str | None:
    """The name of a call as written, when it was written quoted; None when unquoted or unknown."""
    start, end = node.meta.get("start"), node.meta.get("end")
    if sql is None or not isinstance(start, int) or not isinstance(end, int) or end <= start:
        return None
    text = sql[start:end + 1]
    quotes = {'"': '"', "`": "`", "[": "]"}
    if len(text) >= 2 and text[0] in quotes and text[-1] == quotes[text[0]]:
        return text[1:-1]
    return None


def _qualifier(node: "exp.Func") -> "tuple[exp.Identifier, ...] | None":
    """The schema or package a call is qualified by (``()`` for none), or None for a method of an object."""
    from sqlglot import exp

    parent = node.parent
    if not (isinstance(parent, exp.Dot) and parent.expression is node):
        return ()
    parts: list[exp.Identifier] = []

    def collect(part: "exp.Expression") -> bool:
        if isinstance(part, exp.Identifier):
            parts.append(part)
            return True
        if isinstance(part, exp.Column):
            parts.extend(p for p in part.parts if isinstance(p, exp.Identifier))
            return len(parts) == len(part.parts)
        if isinstance(part, exp.Dot):
            return collect(part.this) and collect(part.expression)
        return False

    return tuple(parts) if collect(parent.this) else None
