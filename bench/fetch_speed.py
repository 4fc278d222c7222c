"""Fetch speed: 1,000,000 rows x 10 mixed columns from the local PostgreSQL into a DataFrame.

Creates the table once in a fresh database (dropped afterwards), then runs each side ``--runs``
times, each run in a fresh Python process so its memory can be measured:

- ``pandas.read_sql`` through a SQLAlchemy engine (psycopg 3): the baseline;
- ``Database.execute`` on the plain path (SQLAlchemy rows -> ``DataFrame.from_records``);
- ``Database.execute`` on the Arrow fast path (ADBC binary COPY -> Arrow -> pandas).

Memory is the peak RSS of the process while fetching minus its RSS just before (``ru_maxrss``
against ``/proc/self/statm``: it sees Arrow's and libpq's buffers, which tracemalloc does not),
compared with the final DataFrame's ``memory_usage(deep=True)``.

Targets: the fast path >= 3x faster than ``pandas.read_sql``; its peak <= 1.5x the DataFrame.
Usage: ``python bench/fetch_speed.py [--rows 1000000] [--runs 3] [--url URL]``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERY = "SELECT * FROM facts"
TABLE = """
CREATE TABLE facts AS
SELECT g::bigint AS id, (g % 1000)::int AS qty, (g % 100)::smallint AS bucket, g * 0.25::float8 AS price,
       (g % 7)::real / 3 AS ratio, 'customer ' || (g % 5000) AS name, md5(g::text)::varchar(12) AS code,
       g % 3 = 0 AS flag, DATE '2020-01-01' + (g % 1500) AS day,
       TIMESTAMP '2020-01-01' + g * INTERVAL '1 minute' AS at
FROM generate_series(1, {rows}) AS g"""


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run_once(side: str, url: str) -> dict:
    """One measured fetch in this process (called in a child process)."""
    import resource

    import pandas as pd
    import sqlalchemy

    sys.path.insert(0, str(ROOT))
    from vanna_magic.core.data.database import Database

    if side == "read_sql":
        engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        pd.read_sql("SELECT 1", engine)

        def fetch():
            return pd.read_sql(QUERY, engine)
    else:
        db = Database(url, fast_path=side == "arrow", query_timeout=600)
        db.execute("SELECT 1 AS warm")

        def fetch():
            return db.execute(QUERY).frame
    before = _rss()
    start = time.perf_counter()
    frame = fetch()
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if side != "read_sql":
        assert db.last_path == side, (db.last_path, side)
    return {"seconds": elapsed, "peak": max(0, peak - before), "frame": int(frame.memory_usage(deep=True).sum()),
            "rows": len(frame), "columns": len(frame.columns)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_once(*args.child)))
        return

    import psycopg
    from sqlalchemy.engine import make_url

    admin_url = make_url(args.url)
    conninfo = dict(host=admin_url.host, port=admin_url.port or 5432, user=admin_url.username,
                    dbname=admin_url.database)
    name = f"vanna_bench_{secrets.token_hex(4)}"
    with psycopg.connect(**conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        start = time.perf_counter()
        with psycopg.connect(**{**conninfo, "dbname": name}, autocommit=True) as conn:
            conn.execute(TABLE.format(rows=args.rows))
            conn.execute("VACUUM ANALYZE facts")
        print(f"created facts: {args.rows:,} rows x 10 columns in {time.perf_counter() - start:.1f} s")
        url = admin_url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
        results: dict[str, list[dict]] = {"read_sql": [], "plain": [], "arrow": []}
        for _ in range(args.runs):
            for side in results:
                out = subprocess.run([sys.executable, __file__, "--child", side, url], check=True,
                                     capture_output=True, text=True).stdout
                results[side].append(json.loads(out.strip().splitlines()[-1]))
    finally:
        with psycopg.connect(**conninfo, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    base = statistics.median(r["seconds"] for r in results["read_sql"])
    labels = {"read_sql": "pandas.read_sql via SQLAlchemy (baseline)", "plain": "Database.execute, plain path",
              "arrow": "Database.execute, Arrow fast path"}
    print(f"\n{'side':<44} {'median s':>9} {'speed-up':>9} {'frame MB':>9} {'peak MB':>8} {'peak/frame':>11}")
    for side, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        frame = statistics.median(r["frame"] for r in runs) / 2**20
        peak = statistics.median(r["peak"] for r in runs) / 2**20
        print(f"{labels[side]:<44} {seconds:>9.2f} {base / seconds:>8.1f}x {frame:>9.0f} {peak:>8.0f} "
              f"{peak / frame:>10.2f}x")
    arrow = results["arrow"]
    speed = base / statistics.median(r["seconds"] for r in arrow)
    ratio = statistics.median(r["peak"] / r["frame"] for r in arrow)
    print(f"\n{args.runs} runs per side, each in a fresh process; memory = peak RSS delta while fetching. "
          f"Targets: >= 3x ({'met' if speed >= 3 else 'MISSED'}: {speed:.1f}x), "
          f"peak <= 1.5x frame ({'met' if ratio <= 1.5 else 'MISSED'}: {ratio:.2f}x).")


if __name__ == "__main__":
    main()
