"""Oracle through python-oracledb (thin mode): read-only transactions, ``call_timeout``, the bulk catalog.

Each reading starts with ``SET TRANSACTION READ ONLY`` (it must be the transaction's first
statement; the pool's rollback ends the previous one) and sets the driver's ``call_timeout``
(milliseconds) on the connection, which stops a round trip that takes too long. The catalog
is three queries over ``ALL_TAB_COMMENTS``/``ALL_TABLES``, ``ALL_TAB_COLUMNS``/``ALL_COL_COMMENTS``
and ``ALL_CONSTRAINTS``/``ALL_CONS_COLUMNS`` for the current schema. Names Oracle stores in
upper case are shown in lower case, as SQLAlchemy does: unquoted, they mean the same; names it stores in
lower case are marked quoted (SQLAlchemy's ``quoted_name``), so prompts and rewrites write them quoted.

Driver errors are classified by their codes (``DPY-4024``, ``ORA-01013``, the ``DPY-3xxx``
family of features thin mode lacks), never by their text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..schema import ForeignKey, TableDraft, fetch_rows
from .base import Dialect

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from ..schema import Table

_CALL_TIMEOUT = "DPY-4024"  # thin mode: call timeout of N ms exceeded
_TIMEOUT_CODES = frozenset({"ORA-01013", "ORA-03156"})  # user requested cancel; OCI call timed out (thick mode)
_THIN_HINT = ("python-oracledb's thin mode lacks this ({code}). Use thick mode: install Oracle Instant Client "
              "and call oracledb.init_oracle_client() before connecting, or ask the DBA for a 12.1+ server and "
              "a 12c password verifier.")
_CURRENT = "SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')"
ROLE = """
SELECT USER, role FROM session_roles
WHERE role IN ('DBA', 'IMP_FULL_DATABASE', 'EXP_FULL_DATABASE', 'DATAPUMP_IMP_FULL_DATABASE',
               'DATAPUMP_EXP_FULL_DATABASE', 'EXECUTE_CATALOG_ROLE')
UNION ALL
SELECT USER, privilege FROM session_privs
WHERE privilege IN ('SYSDBA', 'SYSOPER', 'EXEMPT ACCESS POLICY', 'EXEMPT REDACTION POLICY', 'CREATE ANY DIRECTORY',
                    'ALTER SYSTEM', 'INSERT ANY TABLE', 'UPDATE ANY TABLE', 'DELETE ANY TABLE', 'DROP ANY TABLE',
                    'ALTER ANY TABLE', 'CREATE ANY TABLE', 'EXECUTE ANY PROCEDURE', 'CREATE TABLE')
UNION ALL
SELECT USER, 'OWNS TABLES' FROM dual WHERE EXISTS (SELECT 1 FROM user_tables)
UNION ALL
SELECT USER, 'TABLE WRITES' FROM dual
WHERE EXISTS (SELECT 1 FROM user_tab_privs WHERE grantee = USER AND privilege IN ('INSERT', 'UPDATE', 'DELETE'))
UNION ALL
SELECT USER, NULL FROM dual"""
_ROLE_PHRASES = {
    "DBA": "has the DBA role", "SYSDBA": "has SYSDBA", "SYSOPER": "has SYSOPER",
    "EXEMPT ACCESS POLICY": "bypasses row security (EXEMPT ACCESS POLICY)",
    "EXEMPT REDACTION POLICY": "bypasses data redaction (EXEMPT REDACTION POLICY)",
    "CREATE ANY DIRECTORY": "reads and writes server files (CREATE ANY DIRECTORY)",
    "OWNS TABLES": "owns tables (and so writes them)", "TABLE WRITES": "writes tables of other schemas",
}

TABLES = f"""
SELECT c.table_name, c.table_type, c.comments, t.num_rows
FROM all_tab_comments c LEFT JOIN all_tables t ON t.owner = c.owner AND t.table_name = c.table_name
WHERE c.owner = {_CURRENT} AND c.table_type IN ('TABLE', 'VIEW') AND c.table_name NOT LIKE 'BIN$%'
ORDER BY c.table_name"""
COLUMNS = f"""
SELECT col.table_name, col.column_name, col.data_type, col.char_length, col.data_precision, col.data_scale,
       col.nullable, cc.comments
FROM all_tab_columns col
LEFT JOIN all_col_comments cc
  ON cc.owner = col.owner AND cc.table_name = col.table_name AND cc.column_name = col.column_name
WHERE col.owner = {_CURRENT}
ORDER BY col.table_name, col.column_id"""
CONSTRAINTS = f"""
SELECT c.table_name, c.constraint_name, c.constraint_type, cc.column_name, r.owner, r.table_name, rc.column_name
FROM all_constraints c
JOIN all_cons_columns cc ON cc.owner = c.owner AND cc.constraint_name = c.constraint_name
LEFT JOIN all_constraints r ON r.owner = c.r_owner AND r.constraint_name = c.r_constraint_name
LEFT JOIN all_cons_columns rc
  ON rc.owner = r.owner AND rc.constraint_name = r.constraint_name AND rc.position = cc.position
WHERE c.owner = {_CURRENT} AND c.constraint_type IN ('P', 'R')
ORDER BY c.table_name, c.constraint_name, cc.position"""
CURRENT_SCHEMA = f"SELECT {_CURRENT} FROM dual"
QUERIES = (TABLES, COLUMNS, CONSTRAINTS, CURRENT_SCHEMA)
_UPPER = re.compile(r"[A-Z][A-Z0-9_$#]*\Z")


class Oracle(Dialect):
    """No plan prefix: Oracle's ``EXPLAIN PLAN`` writes to ``PLAN_TABLE``."""

    name, title, driver = "oracle", "Oracle", "oracle+oracledb"

    def begin_read_only(self, conn: "Connection", seconds: float) -> None:
        begin_read_only(conn, seconds)

    def timed_out(self, orig: Any, handle: Any) -> bool:
        return is_timeout(orig)

    def role_powers(self, conn: "Connection") -> "tuple[str | None, list[str]]":
        rows = fetch_rows(conn, ROLE)
        granted = dict.fromkeys(str(power) for _, power in rows if power)
        powers = [_ROLE_PHRASES.get(power, f"has {power}") for power in granted]
        return (str(rows[0][0]) if rows else None), powers

    def read_only_role_sql(self, url: Any) -> str | None:
        return ('CREATE USER vanna_reader IDENTIFIED BY "..."; GRANT CREATE SESSION TO vanna_reader; '
                "GRANT READ ON <schema>.<table> TO vanna_reader; -- for each table the notebook may read")

    def read_tables(self, db: Any, problems: list[str]) -> "list[Table]":
        return read_tables(db)

    def error_code(self, orig: Any) -> str | None:
        error = _error(orig)
        return None if error is None else str(error.full_code)

    def error_hint(self, orig: Any) -> str | None:
        return thin_mode_hint(orig)


def begin_read_only(conn: Any, seconds: float) -> None:
    """Limit each round trip to ``seconds`` and make this transaction read-only."""
    conn.connection.dbapi_connection.call_timeout = max(1, round(seconds * 1000))
    conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def _error(orig: Any) -> Any:
    """The driver's ``_Error`` (``full_code``, ``code``) inside an ``oracledb.Error``, if any."""
    args = getattr(orig, "args", ())
    return args[0] if args and hasattr(args[0], "full_code") else None


def is_timeout(orig: Any) -> bool:
    error = _error(orig)
    return error is not None and (error.full_code == _CALL_TIMEOUT or error.full_code in _TIMEOUT_CODES)


def thin_mode_hint(orig: Any) -> str | None:
    """The hint for an error thin mode raises because it lacks a feature (``DPY-3xxx``); None otherwise."""
    error = _error(orig)
    if error is not None and str(error.full_code).startswith("DPY-3"):
        return _THIN_HINT.format(code=error.full_code)
    return None


def _name(name: str) -> str:
    """A name as SQLAlchemy shows it: one held in capitals in lower case (unquoted, they mean the same); one
    held in lower case marked as quoted, since only ``"name"`` reaches it; any other as held."""
    from sqlalchemy.sql.elements import quoted_name

    if _UPPER.match(name):
        return name.lower()
    return quoted_name(name, True) if name == name.lower() and name != name.upper() else name


def _type(data_type: str, length: Any, precision: Any, scale: Any) -> str:
    if data_type == "NUMBER" and precision is not None:
        return f"NUMBER({precision},{scale})" if scale else f"NUMBER({precision})"
    if data_type in {"VARCHAR2", "NVARCHAR2", "CHAR", "NCHAR"} and length:
        return f"{data_type}({length})"
    return data_type


def read_tables(db: Any) -> "list[Table]":
    """Every table and view of the current schema."""
    with db.reading() as conn:
        results = [fetch_rows(conn, sql) for sql in QUERIES]
    return assemble(*results)


def assemble(tables: list[tuple], columns: list[tuple], constraints: list[tuple],
             current: list[tuple]) -> "list[Table]":
    """Tables from the rows of :data:`QUERIES`, in that order."""
    schema = current[0][0] if current else None
    drafts: dict[str, TableDraft] = {}
    for name, kind, comment, rows in tables:
        draft = drafts[name] = TableDraft(None, _name(name), "view" if kind == "VIEW" else "table")
        draft.comment = comment or None
        draft.row_estimate = int(rows) if rows is not None else None
    for name, column, data_type, length, precision, scale, nullable, comment in columns:
        if name in drafts:
            drafts[name].columns.append((_name(column), _type(data_type, length, precision, scale),
                                         nullable == "Y", comment or None))
    grouped: dict[tuple[str, str], list[tuple]] = {}
    for name, constraint, kind, column, ref_owner, ref_table, ref_column in constraints:
        grouped.setdefault((name, constraint), []).append((kind, column, ref_owner, ref_table, ref_column))
    for (name, _), parts in grouped.items():
        draft = drafts.get(name)
        if draft is None:
            continue
        columns_ = tuple(_name(p[1]) for p in parts)
        kind, ref_owner, ref_table = parts[0][0], parts[0][2], parts[0][3]
        if kind == "P":
            draft.primary_key = columns_
        elif ref_table is not None:
            ref = _name(ref_table) if ref_owner == schema else f"{_name(ref_owner)}.{_name(ref_table)}"
            draft.foreign_keys.append(ForeignKey(columns_, ref, tuple(_name(p[4]) for p in parts)))
    return [draft.table() for draft in drafts.values()]
