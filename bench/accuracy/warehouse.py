"""Warehouse mode (``--warehouse SIZE``): questions asked through a connection to a warehouse of SIZE tables.

``vanna_scale_<size>`` (``bench/warehouse.py``) holds each defog-dev database in a schema named after it,
among thousands of look-alike distractor tables. The product sees every schema, as a user's connection
would; the gold queries still run against ``vanna_bench_<db>``. Knowledge is scoped to the question's
schema the way a team writes it: a table's doc is named ``<schema>.<table>`` (it documents that table
alone, not its copies elsewhere) and an example's SQL names its tables with their schema.

``python -m bench.accuracy.warehouse SIZE`` builds the warehouse alone (the build ``bench/linking_scale.py``
runs before it measures; the same database, reused by both).
"""

from __future__ import annotations

import argparse
import sys

from .databases import DEFAULT_SERVER, conninfo
from .datasets import BenchError

# ``bench.warehouse.build`` comments a complete warehouse with "<MARKER> <digest> <tables>".
MARKER = "vanna-magic warehouse "


def database_name(size: int) -> str:
    return f"vanna_scale_{size}"


def build_command(size: int) -> str:
    return f"python -m bench.accuracy.warehouse {size}"


def warehouse_url(size: int, dbs: list[str], server: str = DEFAULT_SERVER) -> str:
    """The URL of the built warehouse of ``size`` tables on ``server``; every database of ``dbs`` must be a schema.

    Raises:
        BenchError: the warehouse is not built (naming the command that builds it), or lacks a schema.
    """
    import psycopg
    from sqlalchemy.engine import make_url

    from vanna_magic.core.config import redact

    name = database_name(size)
    try:
        with psycopg.connect(**conninfo(server), autocommit=True) as admin:
            row = admin.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                                (name,)).fetchone()
        if row is None or not (row[0] or "").startswith(MARKER):
            raise BenchError(f"the warehouse {name} is not built on {redact(server)}: build it with "
                             f"`{build_command(size)}`")
        with psycopg.connect(**conninfo(server, name), autocommit=True) as conn:
            present = {r[0] for r in conn.execute(
                "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_schema = ANY(%s)",
                (list(dbs),)).fetchall()}
    except psycopg.OperationalError as exc:
        lines = str(exc).strip().splitlines()
        raise BenchError(f"PostgreSQL at {redact(server)} does not answer: "
                         f"{lines[0] if lines else type(exc).__name__}") from None
    missing = [db for db in dbs if db not in present]
    if missing:
        raise BenchError(f"the warehouse {name} has no schema {missing[0]!r}: it holds the defog-dev databases "
                         f"only, so choose them with --db")
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def qualify(sql: str, schema: str, dialect: str = "postgres") -> str:
    """``sql`` with every table it reads named with ``schema`` (CTEs and already qualified names kept);
    the rest of the text is left as written.

    >>> qualify("WITH t AS (SELECT * FROM orders) SELECT COUNT(*) FROM t JOIN crm.customers c ON true", "shop")
    'WITH t AS (SELECT * FROM shop.orders) SELECT COUNT(*) FROM t JOIN crm.customers c ON true'

    SQL that does not parse is returned unchanged.
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except (ParseError, TokenError):
        return sql
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    starts = sorted({table.this.meta["start"] for table in tree.find_all(exp.Table)
                     if isinstance(table.this, exp.Identifier) and "start" in table.this.meta
                     and not table.args.get("db") and table.name.lower() not in ctes}, reverse=True)
    prefix = exp.to_identifier(schema).sql(dialect=dialect) + "."
    for start in starts:
        sql = sql[:start] + prefix + sql[start:]
    return sql


def main(argv: list[str] | None = None) -> int:
    from bench.warehouse import build

    p = argparse.ArgumentParser(prog="python -m bench.accuracy.warehouse",
                                description="Build (or reuse) the warehouse vanna_scale_SIZE for --warehouse SIZE.")
    p.add_argument("size", type=int, help="tables in the warehouse, distractors included (e.g. 1000)")
    p.add_argument("--postgres", default=DEFAULT_SERVER, help=f"PostgreSQL server (default {DEFAULT_SERVER})")
    args = p.parse_args(argv)
    if args.size <= 0:
        print(f"{p.prog}: SIZE must be a positive number of tables, got {args.size}", file=sys.stderr)
        return 2
    name = build(conninfo(args.postgres), database_name(args.size), args.size)
    print(f"{name} is built")
    return 0


if __name__ == "__main__":
    sys.exit(main())
