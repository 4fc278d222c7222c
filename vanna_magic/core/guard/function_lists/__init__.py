"""The reviewed functions of each dialect: safe to call from a read-only query.

A function is on a list when it only computes from its arguments and the rows the query
reads: no side effect, no file, network, lock, sequence or replication state, no SQL
executed from text, no way around the data policy.  Functions sqlglot models as typed
expressions need no entry (see :mod:`..allowlist`); the lists name the others, and repeat
common typed ones so a schema-qualified call (``pg_catalog.lower(x)``) is recognised.
Dialects without a list of their own get :data:`DEFAULT`: typed expressions only.
"""

from __future__ import annotations

from . import duckdb, mysql, oracle, postgres, sqlite

DEFAULT: frozenset[str] = frozenset()

REVIEWED: dict[str, frozenset[str]] = {
    "sqlite": frozenset(sqlite.NAMES.split()),
    "postgres": frozenset(postgres.NAMES.split()),
    "mysql": frozenset(mysql.NAMES.split()),
    "oracle": frozenset(oracle.NAMES.split()),
    "duckdb": frozenset(duckdb.NAMES.split()),
}

# Schemas whose functions are the built-in ones: a call qualified by one is checked like an unqualified call.
SYSTEM_SCHEMAS: dict[str, frozenset[str]] = {
    "postgres": frozenset({"pg_catalog"}),
    "duckdb": frozenset({"main", "pg_catalog"}),
}


def reviewed(dialect: str) -> frozenset[str]:
    """The reviewed list of ``dialect`` (lower-case names), or the conservative default."""
    return REVIEWED.get(dialect, DEFAULT)


__all__ = ["DEFAULT", "REVIEWED", "SYSTEM_SCHEMAS", "reviewed"]
