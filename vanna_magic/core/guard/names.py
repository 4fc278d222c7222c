"""Identifiers as the dialect resolves them (sqlglot's ``normalize_identifiers``).

PostgreSQL folds an unquoted name to lower case and keeps a quoted one as written, so
``"CUSTOMERS"`` and ``customers`` are two relations; Oracle folds to upper case; SQLite and
DuckDB ignore case even in quotes; MySQL and MariaDB table names follow the file system, which
sqlglot (and so this module) treats as case-sensitive.

>>> resolved("CUSTOMERS", "postgres"), resolved("CUSTOMERS", "postgres", quoted=True)
('customers', 'CUSTOMERS')
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlglot import exp


def resolved(identifier: "exp.Identifier | str", dialect: str, quoted: bool = False) -> str:
    """The name ``dialect`` resolves an identifier (or a name written with ``quoted``) to."""
    from sqlglot import exp

    if isinstance(identifier, exp.Identifier):
        name, quoted = identifier.name, bool(identifier.quoted)
    else:
        name = identifier
    return _resolved(name, quoted, dialect)


@lru_cache(maxsize=4096)
def _resolved(name: str, quoted: bool, dialect: str) -> str:
    from sqlglot import exp

    return _dialect(dialect).normalize_identifier(exp.to_identifier(name, quoted=quoted)).name


@lru_cache(maxsize=None)
def _dialect(name: str) -> Any:
    from sqlglot.dialects.dialect import Dialect

    return Dialect.get_or_raise(name)


def same_relation(a: "exp.Identifier | str", b: "exp.Identifier | str", dialect: str) -> bool:
    """Whether two identifiers name the same relation in ``dialect``."""
    return resolved(a, dialect) == resolved(b, dialect)


def as_listed(identifier: "exp.Identifier", dialect: str) -> bool:
    """Whether ``identifier`` names what its lower-case, unquoted spelling names: how a policy file lists tables.

    ``"ORDERS"`` on PostgreSQL and ``"orders"`` on Oracle name other relations than ``orders``.
    """
    return resolved(identifier, dialect) == resolved(identifier.name.lower(), dialect)
