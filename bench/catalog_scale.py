"""Catalog on a big schema: 1,000 tables x 20 columns on the local PostgreSQL.

Creates a fresh database (tables with a primary key, a foreign key to the previous table, and
comments on every tenth table), reads its catalog with our bulk queries and, in the same run,
with SQLAlchemy's per-table reflection (``inspector.get_columns`` + ``get_pk_constraint`` +
``get_foreign_keys`` per table) and with SQLAlchemy's bulk ``get_multi_*`` reflection (our
fallback for other dialects). Each side runs ``--runs`` times on a fresh engine; medians.
The database is dropped afterwards.

Targets: our catalog <= 1 s and >= 20x faster than per-table reflection.
Usage: ``python bench/catalog_scale.py [--tables 1000] [--columns 20] [--runs 3] [--url URL]``.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vanna_magic.core.data.catalog import read_tables  # noqa: E402
from vanna_magic.core.data.database import Database  # noqa: E402
from vanna_magic.core.data.dialects.generic import reflect_tables  # noqa: E402

TYPES = ["integer", "bigint", "text", "varchar(40)", "numeric(12,2)", "date", "timestamp", "boolean", "real",
         "jsonb"]


def _schema(tables: int, columns: int) -> str:
    statements = []
    for t in range(tables):
        cols = [f"id_{t} integer PRIMARY KEY"]
        if t:
            cols.append(f"parent_id integer REFERENCES t_{t - 1:04d} (id_{t - 1})")
        cols += [f"c_{c:02d} {TYPES[c % len(TYPES)]}" for c in range(columns - len(cols))]
        statements.append(f"CREATE TABLE t_{t:04d} ({', '.join(cols)});")
        if t % 10 == 0:
            statements.append(f"COMMENT ON TABLE t_{t:04d} IS 'table number {t}';")
            statements.append(f"COMMENT ON COLUMN t_{t:04d}.c_05 IS 'a column comment';")
    return "\n".join(statements)


def per_table_reflection(db: Database) -> int:
    """What a tool that reflects one table at a time pays (jupysql, vanna's own connectors)."""
    from sqlalchemy import inspect

    seen = 0
    with db.engine.connect() as conn:
        inspector = inspect(conn)
        for name in inspector.get_table_names():
            seen += len(inspector.get_columns(name))
            inspector.get_pk_constraint(name)
            inspector.get_foreign_keys(name)
            inspector.get_table_comment(name)
    return seen


def _timed(url: str, read, runs: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(runs):
        db = Database(url)
        db.ping()  # connecting is not part of reading the catalog
        start = time.perf_counter()
        result = read(db)
        times.append(time.perf_counter() - start)
        db.close()
        count = result if isinstance(result, int) else sum(len(t.columns) for t in result)
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    import psycopg
    from sqlalchemy.engine import make_url

    admin_url = make_url(args.url)
    name = f"vanna_bench_{secrets.token_hex(4)}"
    conninfo = dict(host=admin_url.host, port=admin_url.port or 5432, user=admin_url.username,
                    dbname=admin_url.database)
    with psycopg.connect(**conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        start = time.perf_counter()
        with psycopg.connect(**{**conninfo, "dbname": name}, autocommit=True) as conn:
            conn.execute(_schema(args.tables, args.columns))
            conn.execute("ANALYZE")
        print(f"created {args.tables} tables x {args.columns} columns in {time.perf_counter() - start:.1f} s")
        url = admin_url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
        ours, n_ours = _timed(url, read_tables, args.runs)
        multi, n_multi = _timed(url, reflect_tables, args.runs)
        single, n_single = _timed(url, per_table_reflection, args.runs)
        expected = args.tables * args.columns
        assert n_ours == n_multi == n_single == expected, (n_ours, n_multi, n_single, expected)
        print(f"\n{'method':<44} {'median s':>9} {'vs ours':>8}")
        print(f"{'vanna-magic bulk catalog (5 queries)':<44} {ours:>9.3f} {'1.0x':>8}")
        print(f"{'SQLAlchemy get_multi_* reflection':<44} {multi:>9.3f} {multi / ours:>7.1f}x")
        print(f"{'SQLAlchemy per-table reflection':<44} {single:>9.3f} {single / ours:>7.1f}x")
        print(f"\n{expected:,} columns each; {args.runs} runs per method. Targets: ours <= 1 s "
              f"({'met' if ours <= 1 else 'MISSED'}), >= 20x faster than per-table "
              f"({'met' if single / ours >= 20 else 'MISSED'}).")
    finally:
        with psycopg.connect(**conninfo, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
