"""The database role as a second wall: does the connection's role only read?

The firewall is one wall; the database role should be the other.  :func:`check_role` asks the
dialect (:meth:`~vanna_magic.core.data.dialects.base.Dialect.role_powers`) what the role can do
beyond reading: write, read server files, bypass row security.  ``%vanna connect`` and
``%vanna status`` print :attr:`RoleCheck.warning` (one line, with the SQL that creates a read-only
role); the ``require_read_only_role`` setting refuses such a connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError, VannaError

if TYPE_CHECKING:
    from .database import Database
    from .duckdb_database import DuckDBDatabase


@dataclass(frozen=True)
class RoleCheck:
    """What the connection's role can do beyond reading (``powers``), or why that could not be read."""

    role: str | None
    powers: tuple[str, ...] = ()
    create_sql: str | None = None  # one line of SQL that creates a read-only role
    unknown: str | None = None  # why the role could not be checked

    @property
    def read_only(self) -> bool:
        return not self.powers and self.unknown is None

    @property
    def warning(self) -> str | None:
        """One line saying what the role can do and how to connect as a read-only one; None when it only reads."""
        if self.powers:
            who = f"the database role {self.role}" if self.role else "the database role"
            fix = f"; connect as a read-only role instead: {self.create_sql}" if self.create_sql else ""
            return f"{who} {', '.join(self.powers)}: the firewall is the only wall{fix}"
        if self.unknown is not None:
            return f"the database role's privileges could not be checked ({self.unknown})"
        return None


def check_role(db: "Database | DuckDBDatabase") -> RoleCheck:
    """Ask the database what the connection's role can do beyond reading (nothing to ask an engine without roles)."""
    from sqlalchemy.engine import make_url

    from .dialects.base import Dialect

    if type(db.kind).role_powers is Dialect.role_powers:  # SQLite, DuckDB, engines without a probe
        return RoleCheck(None)
    create_sql = db.kind.read_only_role_sql(make_url(db.url))
    def read() -> Any:
        with db.reading() as conn:
            return db.kind.role_powers(conn)

    try:
        role, powers = db.bounded(read)  # a server that stops answering costs query_timeout, not forever
    except VannaError as exc:
        return RoleCheck(None, (), create_sql, unknown=str(exc).splitlines()[0])
    return RoleCheck(role, tuple(powers), create_sql)


def require_read_only(db: "Database | DuckDBDatabase") -> RoleCheck:
    """``check_role``, refusing (and closing) a connection whose role can do more than read, or cannot be checked."""
    check = check_role(db)
    if not check.read_only:
        db.close()
        raise ConfigurationError(f"refused to connect with require_read_only_role on: {check.warning}",
                                 setting="require_read_only_role",
                                 hint="Connect as a role that can only read, or set require_read_only_role = false.")
    return check
