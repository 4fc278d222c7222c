"""PostgreSQL through psycopg 3: ``SET TRANSACTION READ ONLY`` and ``statement_timeout`` per reading, a cancel
request to stop a statement, statements over the extended protocol (one per call), and the catalog in five
bulk queries over ``pg_catalog``, cheap on schemas of thousands of tables.

The catalog queries return raw catalog values (oids, attribute numbers, type oids) and Python joins
them: per-row ``format_type()``, ``col_description()`` and key-column subqueries cost more
than the rest of the work together on a 20,000-column schema (see ``bench/catalog_scale.py``).
Only the schemas of the search path are read, without the system ones.
"""

from __future__ import annotations

import json
import re
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Callable

from ..schema import ForeignKey, TableDraft, fetch_rows, qualified
from .base import Dialect

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection, Engine

    from ..schema import Table
    from ..schema_filter import SchemaFilter

ROLE = r"""
SELECT current_user, r.rolsuper, r.rolbypassrls,
       CASE WHEN to_regrole('pg_read_server_files') IS NULL THEN false
            ELSE pg_has_role(current_user, 'pg_read_server_files', 'MEMBER') END,
       CASE WHEN to_regrole('pg_write_server_files') IS NULL THEN false
            ELSE pg_has_role(current_user, 'pg_write_server_files', 'MEMBER') END,
       CASE WHEN to_regrole('pg_execute_server_program') IS NULL THEN false
            ELSE pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER') END,
       has_database_privilege(current_database(), 'CREATE'),
       (SELECT string_agg(n.nspname, ', ' ORDER BY n.nspname) FROM pg_namespace n
        WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
          AND has_schema_privilege(n.oid, 'CREATE')),
       EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind IN ('r', 'p', 'v', 'f') AND n.nspname <> 'information_schema'
                 AND n.nspname NOT LIKE 'pg\_%'
                 AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE')
                      OR has_table_privilege(c.oid, 'DELETE') OR has_table_privilege(c.oid, 'TRUNCATE')))
FROM pg_roles r WHERE r.rolname = current_user"""
_ROLE_POWERS = ("bypasses row security (BYPASSRLS)", "reads server files (pg_read_server_files)",
                "writes server files (pg_write_server_files)", "runs server programs (pg_execute_server_program)",
                "creates schemas (CREATE on the database)")

QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout (or a cancel request)
# libpq's TCP settings: a peer that vanished is noticed in about a minute, not the kernel's two hours;
# unacknowledged bytes give up after 30 s. Settings in the URL win.
TCP_OPTIONS = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3,
               "tcp_user_timeout": 30000}


def connection_options(url: "URL", connect_timeout: float) -> dict[str, Any]:
    """libpq options for a connection: the connect timeout and :data:`TCP_OPTIONS`, unless the URL sets them."""
    options = {"connect_timeout": max(1, round(connect_timeout)), **TCP_OPTIONS}
    return {name: value for name, value in options.items() if name not in url.query}


class PostgreSQL(Dialect):
    name, title, driver, plan_prefix = "postgres", "PostgreSQL", "postgresql+psycopg", "EXPLAIN "

    def engine_options(self, url: "URL", connect_timeout: float) -> tuple[dict[str, Any], bool]:
        return {"connect_args": connection_options(url, connect_timeout)}, True

    def prepare_engine(self, engine: "Engine") -> None:
        if engine.url.get_driver_name() == "psycopg":
            one_statement_per_call(engine)

    def begin_read_only(self, conn: "Connection", seconds: float) -> None:
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, round(seconds * 1000))}")

    def timed_out(self, orig: Any, handle: Any) -> bool:
        return self.error_code(orig) == QUERY_CANCELED

    def cancel_hook(self, dbapi_connection: Any) -> Callable[[], Any] | None:
        if not hasattr(dbapi_connection, "cancel"):
            return None
        return getattr(dbapi_connection, "cancel_safe", dbapi_connection.cancel)  # a cancel request to the server

    def read_tables(self, db: Any, problems: list[str]) -> "list[Table]":
        return read_tables(db)

    def role_powers(self, conn: "Connection") -> "tuple[str | None, list[str]]":
        rows = fetch_rows(conn, ROLE)
        if not rows:
            return None, []
        role, superuser, *flags, schemas, writes = rows[0]
        if superuser:  # every other check is true for a superuser: say the one that matters
            return role, ["is a superuser (reads and writes everything, server files included)"]
        powers = [phrase for phrase, on in zip(_ROLE_POWERS, flags) if on]
        if schemas:
            powers.append(f"creates tables in {schemas}")
        if writes:
            powers.append("writes tables (INSERT, UPDATE, DELETE or TRUNCATE)")
        return role, powers

    def read_only_role_sql(self, url: "URL") -> str | None:
        name = url.database or "postgres"
        database = name if re.fullmatch(r"[a-z_][a-z0-9_]*", name) else '"' + name.replace('"', '""') + '"'
        return (f"CREATE ROLE vanna_reader LOGIN PASSWORD '...'; GRANT CONNECT ON DATABASE {database} TO "
                "vanna_reader; GRANT USAGE ON SCHEMA public TO vanna_reader; GRANT SELECT ON ALL TABLES IN SCHEMA "
                "public TO vanna_reader;")

    def read_schemas(self, db: Any, problems: list[str], schemas: "SchemaFilter") -> "list[Table]":
        """Every schema of the database the filter allows, searched or not, in the filter's order."""
        with db.reading() as conn:
            rows = fetch_rows(conn, SCHEMA_NAMES)
        path = {name: n for n, name in enumerate(rows[0][1] or [])} if rows else {}
        names = sorted((row[0] for row in rows), key=lambda name: (path.get(name, len(path)), name))
        return read_tables(db, queries(_array(schemas.order(names))))

    def estimated_cost(self, conn: "Connection", sql: str) -> float | None:
        plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, execution_options={"no_parameters": True}).scalar()
        if isinstance(plan, str):
            plan = json.loads(plan)
        return float(plan[0]["Plan"]["Total Cost"])


def one_statement_per_call(engine: "Engine") -> None:
    """Send statements over PostgreSQL's extended protocol, which refuses ``COMMIT; INSERT ...``.

    psycopg otherwise uses the simple protocol for statements without parameters, and a
    second statement after a ``COMMIT`` would run outside our read-only transaction.
    Pipeline mode is the one way to get the extended protocol without preparing statements.
    """
    import psycopg
    from sqlalchemy import event

    if not psycopg.Pipeline.is_supported():  # libpq < 14: the firewall alone rejects several statements
        return

    @event.listens_for(engine, "do_execute_no_params")
    def _execute(cursor: Any, statement: str, context: Any) -> bool:
        with cursor.connection.pipeline():
            cursor.execute(statement)
        return True

# The schemas read, with their position: the search path's (or a list), without the system ones. A join
# on this small set, not ``= ANY (current_schemas(false))`` per row, which costs a second at 400 schemas.
_PATH = ("(SELECT s.name, s.pos FROM unnest({schemas}) WITH ORDINALITY AS s(name, pos) "
         "WHERE s.name <> 'information_schema' AND left(s.name, 3) <> 'pg_') AS {alias}")
SEARCH_PATH = "current_schemas(false)"


def queries(schemas: str = SEARCH_PATH) -> tuple[str, ...]:
    """The catalog queries over the schemas of the SQL array ``schemas`` (default: the search path)."""
    path = _PATH.format(schemas=schemas, alias="sp")
    relations = (f"pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace JOIN {path} ON sp.name = n.nspname")
    kinds = "c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition"
    tables = f"""
SELECT c.oid, n.nspname, c.relname, c.relkind, d.description,
       CASE WHEN c.relkind IN ('r', 'm') AND c.reltuples >= 0 THEN c.reltuples::bigint END
FROM {relations}
LEFT JOIN pg_description AS d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE {kinds}
ORDER BY sp.pos, c.relname"""
    attributes = f"""
FROM pg_attribute AS a JOIN {relations} ON c.oid = a.attrelid
WHERE a.attnum > 0 AND NOT a.attisdropped AND {kinds}"""
    columns = "SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull" + attributes
    # The names of the (type, modifier) pairs the columns use: %s are those pairs, bound after COLUMNS ran
    # (a second pass over the attributes costs a tenth of a second at 50,000 columns).
    types = "SELECT t, m, format_type(t, m) FROM unnest(%s::oid[], %s::int[]) AS p(t, m)"
    comments = f"""
SELECT d.objoid, d.objsubid, d.description
FROM pg_description AS d JOIN {relations} ON c.oid = d.objoid
WHERE d.classoid = 'pg_class'::regclass AND d.objsubid > 0 AND {kinds}"""
    # Referenced columns are named here only when the referenced table is not one we read (another schema).
    # conparentid = 0: a key into a partitioned table, not its copies into each partition (PostgreSQL >= 11).
    constraints = f"""
SELECT con.conrelid, con.contype, con.conkey, con.confrelid, con.confkey, rn.nspname, rc.relname,
       CASE WHEN con.contype = 'f' AND (rp.name IS NULL OR rc.relispartition) THEN
         ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute AS a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) END
FROM pg_constraint AS con JOIN pg_class AS c ON c.oid = con.conrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace JOIN {path} ON sp.name = n.nspname
LEFT JOIN pg_class AS rc ON rc.oid = con.confrelid LEFT JOIN pg_namespace AS rn ON rn.oid = rc.relnamespace
LEFT JOIN {_PATH.format(schemas=schemas, alias="rp")} ON rp.name = rn.nspname
WHERE con.contype IN ('p', 'f') AND con.conparentid = 0
ORDER BY con.conrelid, con.conname"""
    return tables, columns, types, comments, constraints


QUERIES = queries()
SCHEMA_NAMES = ("SELECT nspname, current_schemas(false) FROM pg_namespace "
                "WHERE nspname <> 'information_schema' AND left(nspname, 3) <> 'pg_'")


def _array(names: list[str]) -> str:
    """A text[] literal of ``names`` (read from the catalog; quotes doubled)."""
    return "ARRAY[" + ", ".join("'" + name.replace("'", "''") + "'" for name in names) + "]::text[]"
_KINDS = {"v": "view", "m": "materialized view", "f": "foreign table"}


def read_tables(db: Any, sql: tuple[str, ...] = QUERIES) -> "list[Table]":
    """Every table, view and foreign table of the search path's schemas (or of the schemas ``sql`` reads)."""
    tables_sql, columns_sql, types_sql, comments_sql, constraints_sql = sql
    with db.reading() as conn:
        tables, columns = fetch_rows(conn, tables_sql), fetch_rows(conn, columns_sql)
        pairs = sorted({(row[3], row[4]) for row in columns})
        types = fetch_rows(conn, types_sql, ([t for t, _ in pairs], [m for _, m in pairs])) if pairs else []
        results = [tables, columns, types, fetch_rows(conn, comments_sql), fetch_rows(conn, constraints_sql)]
    return assemble(*results)


def assemble(tables: list[tuple], columns: list[tuple], types: list[tuple], comments: list[tuple],
             constraints: list[tuple]) -> "list[Table]":
    """Tables from the rows of :data:`QUERIES`, in that order."""
    drafts: dict[int, TableDraft] = {}
    for oid, schema, name, relkind, comment, estimate in tables:
        draft = drafts[oid] = TableDraft(schema, name, _KINDS.get(relkind, "table"))
        draft.comment, draft.row_estimate = comment, estimate
    type_names = {(typid, typmod): name for typid, typmod, name in types}
    column_comments = {(oid, attnum): text for oid, attnum, text in comments}
    names: dict[tuple[int, int], str] = {}
    for oid, attnum, name, typid, typmod, notnull in sorted(columns, key=itemgetter(0, 1)):
        names[(oid, attnum)] = name
        draft = drafts.get(oid)
        if draft is not None:
            draft.columns.append((name, type_names[(typid, typmod)], not notnull, column_comments.get((oid, attnum))))
    for oid, kind, key, ref_oid, ref_key, ref_schema, ref_name, ref_names in constraints:
        draft = drafts.get(oid)
        if draft is None:
            continue
        columns_ = tuple(names[(oid, attnum)] for attnum in key)
        if kind == "p":
            draft.primary_key = columns_
        else:
            ref_columns = tuple(ref_names) if ref_names is not None else tuple(names[(ref_oid, n)] for n in ref_key)
            draft.foreign_keys.append(ForeignKey(columns_, qualified(ref_schema, ref_name, "postgres"), ref_columns))
    return [draft.table() for draft in drafts.values()]
