"""MySQL and MariaDB: a read-only session with a time limit, and the catalog from ``information_schema``.

``SET SESSION TRANSACTION READ ONLY`` (not the one-transaction form) because a DDL statement
commits implicitly and would start the next transaction read-write; a session that is read
only refuses ``CREATE``, ``DROP`` and writes even after a ``COMMIT``. The time limit is
``max_statement_time`` (seconds) on MariaDB and ``max_execution_time`` (milliseconds, ``SELECT``
only) on MySQL. The catalog is three queries over the current database, never one per table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..schema import ForeignKey, TableDraft, fetch_rows
from .base import Dialect

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection

    from ..schema import Table

# The current account as information_schema writes grantees: 'user'@'host'.
_ME = "CONCAT(QUOTE(SUBSTRING_INDEX(CURRENT_USER(), '@', 1)), '@', QUOTE(SUBSTRING_INDEX(CURRENT_USER(), '@', -1)))"
ROLE = f"""
SELECT CURRENT_USER(), PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = {_ME}
UNION SELECT CURRENT_USER(), PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = {_ME}
UNION SELECT CURRENT_USER(), PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = {_ME}
UNION SELECT CURRENT_USER(), NULL"""
_WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX", "CREATE VIEW", "CREATE ROUTINE",
           "ALTER ROUTINE", "TRIGGER", "EVENT", "DELETE HISTORY")

# Server error numbers of a statement stopped by its time limit: MariaDB's and MySQL's.
TIMEOUT_ERRORS = frozenset({1969, 3024})


class MySQL(Dialect):
    name, title, driver, plan_prefix = "mysql", "MySQL", "mysql+pymysql", "EXPLAIN "

    def engine_options(self, url: "URL", connect_timeout: float) -> tuple[dict[str, Any], bool]:
        if "connect_timeout" in url.query:
            return {}, True
        return {"connect_args": {"connect_timeout": max(1, round(connect_timeout))}}, True

    def begin_read_only(self, conn: "Connection", seconds: float) -> None:
        begin_read_only(conn, seconds)

    def timed_out(self, orig: Any, handle: Any) -> bool:
        return is_timeout(orig)

    def role_powers(self, conn: "Connection") -> "tuple[str | None, list[str]]":
        rows = fetch_rows(conn, ROLE)
        granted = {str(privilege).upper() for _, privilege in rows if privilege}
        powers = []
        if "FILE" in granted:
            powers.append("reads and writes server files (FILE)")
        if "SUPER" in granted:
            powers.append("has SUPER (changes the server, writes even when it is read-only)")
        if "READ_ONLY ADMIN" in granted:
            powers.append("writes even when the server is read-only (READ_ONLY ADMIN)")
        writes = [w for w in _WRITES if w in granted]
        if writes:
            powers.append(f"writes ({', '.join(writes[:4])}{'...' if len(writes) > 4 else ''})")
        return (str(rows[0][0]) if rows else None), powers

    def read_only_role_sql(self, url: "URL") -> str | None:
        database = (url.database or "shop").replace("`", "``")
        return (f"CREATE USER 'vanna_reader'@'%' IDENTIFIED BY '...'; GRANT SELECT, SHOW VIEW ON `{database}`.* "
                "TO 'vanna_reader'@'%';")

    def read_tables(self, db: Any, problems: list[str]) -> "list[Table]":
        return read_tables(db)

    def error_code(self, orig: Any) -> str | None:
        number = _number(orig)
        return None if number is None else str(number)

    def error_message(self, orig: Any, clean: Callable[[Any], str]) -> str:
        args = getattr(orig, "args", ())
        if _number(orig) is not None and len(args) == 2:  # PyMySQL: (errno, text)
            return f"{clean(args[1])} (error {args[0]})"
        return clean(orig)


class MariaDB(MySQL):
    title, driver = "MariaDB", "mariadb+pymysql"


def _number(orig: Any) -> int | None:
    args = getattr(orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def begin_read_only(conn: Any, seconds: float) -> None:
    """Make the pooled session read-only and limit each statement to ``seconds``."""
    conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
    if getattr(conn.dialect, "is_mariadb", False):
        conn.exec_driver_sql(f"SET SESSION max_statement_time = {max(seconds, 0.001):.3f}")
    else:
        conn.exec_driver_sql(f"SET SESSION max_execution_time = {max(1, round(seconds * 1000))}")


def is_timeout(orig: Any) -> bool:
    """Whether a driver error is the server stopping a statement at its time limit (by error number)."""
    return _number(orig) in TIMEOUT_ERRORS


TABLES = """
SELECT table_name, table_type, table_comment, table_rows
FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name"""
COLUMNS = """
SELECT table_name, column_name, column_type, is_nullable, column_comment
FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position"""
KEYS = """
SELECT k.table_name, k.constraint_name, k.column_name, k.referenced_table_schema, k.referenced_table_name,
       k.referenced_column_name
FROM information_schema.key_column_usage AS k
JOIN information_schema.table_constraints AS c
  ON c.constraint_schema = k.constraint_schema AND c.table_name = k.table_name
 AND c.constraint_name = k.constraint_name
WHERE k.table_schema = DATABASE() AND c.constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')
ORDER BY k.table_name, k.constraint_name, k.ordinal_position"""
_KINDS = {"VIEW": "view", "SYSTEM VIEW": "view"}


def read_tables(db: Any) -> "list[Table]":
    """Every table and view of the connection's current database."""
    with db.reading() as conn:
        tables = fetch_rows(conn, TABLES)
        columns = fetch_rows(conn, COLUMNS)
        keys = fetch_rows(conn, KEYS)
        database = conn.exec_driver_sql("SELECT DATABASE()").scalar()
    drafts: dict[str, TableDraft] = {}
    for name, table_type, comment, estimate in tables:
        draft = drafts[name] = TableDraft(None, name, _KINDS.get(str(table_type).upper(), "table"))
        # Views carry the comment 'VIEW'; InnoDB's row count is an estimate, shown as such.
        draft.comment = (comment or None) if draft.kind == "table" else None
        draft.row_estimate = int(estimate) if estimate is not None and draft.kind == "table" else None
    for name, column, type_, nullable, comment in columns:
        if name in drafts:
            drafts[name].columns.append((column, type_, str(nullable).upper() == "YES", comment or None))
    grouped: dict[tuple[str, str], list[tuple]] = {}
    for name, constraint, column, ref_schema, ref_table, ref_column in keys:
        grouped.setdefault((name, constraint), []).append((column, ref_schema, ref_table, ref_column))
    for (name, constraint), parts in grouped.items():
        draft = drafts.get(name)
        if draft is None:
            continue
        if constraint == "PRIMARY":
            draft.primary_key = tuple(p[0] for p in parts)
        elif parts[0][2] is not None:
            ref_schema, ref_table = parts[0][1], parts[0][2]
            ref = ref_table if ref_schema in (None, database) else f"{ref_schema}.{ref_table}"
            draft.foreign_keys.append(ForeignKey(tuple(p[0] for p in parts), ref, tuple(p[3] for p in parts)))
    return [draft.table() for draft in drafts.values()]
