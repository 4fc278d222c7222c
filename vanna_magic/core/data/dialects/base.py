"""What a dialect of the data layer decides, with the defaults that serve any engine SQLAlchemy reaches.

A :class:`Dialect` says how to open an engine, how to make one reading read-only with a time
limit, how to stop a statement from another thread, how to read the catalog in bulk, and how to
read the driver's errors (by code, never by message text). One subclass per engine lives beside
this module; :func:`vanna_magic.core.data.dialects.for_backend` picks one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection, Engine

    from ..schema import Table
    from ..schema_filter import SchemaFilter


class Dialect:
    """Any engine: a transaction that is rolled back, SQLAlchemy's bulk reflection for the catalog.

    ``name`` is sqlglot's name of the dialect (what the firewall and the prompt speak),
    ``title`` the name people know it by, ``driver`` the driver a URL without one gets
    (``postgresql://`` means ``postgresql+psycopg``), ``plan_prefix`` the ``EXPLAIN`` form that
    plans a statement without running it (None: not offered).
    """

    name = ""
    title = ""
    driver: str | None = None
    plan_prefix: str | None = None

    def __init__(self, name: str = "", title: str = ""):
        self.name = name or self.name
        self.title = title or self.title or self.name

    def engine_options(self, url: "URL", connect_timeout: float) -> tuple[dict[str, Any], bool]:
        """Keyword arguments for ``create_engine`` and whether the connection is read-only."""
        return {}, True

    def prepare_engine(self, engine: "Engine") -> None:
        """Set up a new engine (events, pool options); nothing by default."""

    def begin_read_only(self, conn: "Connection", seconds: float) -> Any:
        """Start a reading: read-only, statements limited to ``seconds``; returns what :meth:`end_reading` needs."""
        return None

    def end_reading(self, handle: Any) -> None:
        """End the reading :meth:`begin_read_only` started (the transaction is rolled back elsewhere)."""

    def timed_out(self, orig: Any, handle: Any) -> bool:
        """Whether a driver error is the statement stopped at its time limit."""
        return False

    def cancel_hook(self, dbapi_connection: Any) -> Callable[[], Any] | None:
        """How to stop the statement running on ``dbapi_connection`` from another thread (None: no way)."""
        return None

    def read_schemas(self, db: Any, problems: list[str], schemas: "SchemaFilter") -> "list[Table]":
        """The tables of the schemas ``schemas`` allows, in its order (default: of those :meth:`read_tables` reads)."""
        tables = [t for t in self.read_tables(db, problems) if t.schema is None or schemas.allows(t.schema)]
        return sorted(tables, key=lambda t: 0 if t.schema is None else schemas.rank(t.schema))

    def read_tables(self, db: Any, problems: list[str]) -> "list[Table]":
        """Every table and view of the connection, in a few bulk queries (``problems``: what could not be read)."""
        from .generic import reflect_tables

        return reflect_tables(db)

    def estimated_cost(self, conn: "Connection", sql: str) -> float | None:
        """The planner's total cost estimate of ``sql`` (None where the engine gives none)."""
        return None

    def error_code(self, orig: Any) -> str | None:
        """The driver error's code: SQLSTATE where the driver gives one."""
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        return str(code) if code else None

    def error_message(self, orig: Any, clean: Callable[[Any], str]) -> str:
        """The database's message as the user reads it; ``clean`` gives a text's first line, passwords removed."""
        return clean(orig)

    def error_hint(self, orig: Any) -> str | None:
        """A hint for a driver error the engine explains better than its message does."""
        return None

    def role_powers(self, conn: "Connection") -> "tuple[str | None, list[str]]":
        """The connection's role and what it can do beyond reading (write, read server files, bypass row
        security), each a short phrase; an engine without roles (SQLite, DuckDB) has none."""
        return None, []

    def read_only_role_sql(self, url: "URL") -> str | None:
        """One line of SQL that creates a role that can only read this database (None: no roles here)."""
        return None

    def connect_hint(self, url: "URL") -> str:
        """What to check when connecting fails."""
        return ("Check the host, port, database name, user and password in the URL, and that the server "
                "accepts connections from this machine.")
