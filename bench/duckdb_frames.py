"""DataFrames through DuckDB: ``%%ask``'s execution path against DuckDB by hand and against pandas.

One aggregation over a DataFrame of ``--rows`` rows (10,000,000 by default: a categorical region, a
float amount, an integer quantity, a day), on four sides timed in one process, taking turns, ``--runs``
rounds; then each side once more in a fresh process of its own, for its memory:

- ``by hand``: ``duckdb.sql(SQL).df()``, the DataFrame found by its variable name: the baseline;
- ``executor``: the execution stage, ``DuckDBDatabase.execute`` over the DataFrame registered as a view
  (what ``%%ask --df`` runs once the SQL is written and checked);
- ``Session.ask``: the whole question with a fake model answering the fixed SQL (retrieval, prompt,
  firewall, execution, history);
- ``pandas``: ``groupby().agg()`` computing the same result.

Time is the median of the runs; the ratio is against ``by hand`` measured in the same run. Memory is
the peak RSS of the process during the runs (``VmHWM``, reset just before them through
``/proc/self/clear_refs``) minus its RSS just before: it sees DuckDB's working memory as well as
Python's. It is shown next to the DataFrame's and the result's sizes: a copy of the DataFrame would
show as a peak near the DataFrame's size.

Targets: the executor within 1.2x of DuckDB by hand; no copy of the DataFrame.
Usage: ``python bench/duckdb_frames.py [--rows 10000000] [--runs 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL = ("SELECT region, count(*) AS orders, sum(amount) AS revenue, avg(qty) AS avg_qty, max(day) AS last_day "
       "FROM sales GROUP BY region ORDER BY region")
SIDES = ("by hand", "executor", "Session.ask", "pandas")


def make_frame(rows: int):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    regions = [f"region {i:02d}" for i in range(20)]
    return pd.DataFrame({
        "region": pd.Categorical.from_codes(rng.integers(0, len(regions), rows), categories=regions),
        "amount": rng.random(rows) * 100,
        "qty": rng.integers(1, 10, rows),
        "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D"),
    })


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reset_peak() -> None:
    """Start the peak RSS (VmHWM) afresh, so that building the DataFrame's temporaries does not count."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


def _peak() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _side(side: str, sales):
    """A function computing the result on one side (the DataFrame is ``sales`` in every case)."""
    if side == "by hand":
        import duckdb

        def by_hand(sales=sales):  # noqa: ARG001 - DuckDB finds the DataFrame by this local name
            return duckdb.sql(SQL).df()
        return by_hand
    if side == "pandas":
        def grouped():
            result = sales.groupby("region", observed=True).agg(
                orders=("amount", "size"), revenue=("amount", "sum"), avg_qty=("qty", "mean"), last_day=("day", "max"))
            return result.reset_index().sort_values("region")
        return grouped
    from vanna_magic.core.data.sources import open_database
    from vanna_magic.core.guard import Firewall

    if side == "executor":
        db = open_database("dataframes", query_timeout=600, frames=lambda: {"sales": sales})
        checked = Firewall("duckdb", 1000).enforce(SQL)
        return lambda: db.execute(checked).frame
    sys.path.insert(0, str(ROOT))
    from tests.fakes import FakeModel
    from vanna_magic import Session
    from vanna_magic.core.config import load_settings

    folder = tempfile.mkdtemp()
    settings = load_settings(environ={}, start=None).replace(cache_dir=folder, query_timeout=600)
    session = Session(settings=settings, model=FakeModel(lambda messages: f"```sql\n{SQL}\n```"))

    def ask():
        answer = session.ask("Orders, revenue, average quantity and last day per region", frames={"sales": sales})
        assert answer.status == "ok", answer.error
        return answer.frame
    return ask


def memory_of(side: str, rows: int) -> dict:
    """One run of one side in this fresh process: its peak memory (called in a child process)."""
    sys.path.insert(0, str(ROOT))
    sales = make_frame(rows)
    compute = _side(side, sales)
    compute()  # warm up: imports, catalog, the knowledge-base index
    _reset_peak()
    before = _rss()
    result = compute()
    return {"side": side, "peak": max(0, _peak() - before), "frame": int(sales.memory_usage(deep=True).sum()),
            "result": int(result.memory_usage(deep=True).sum()), "result_rows": len(result)}


def times_of(rows: int, runs: int) -> dict[str, dict]:
    """Every side's times in one process, the sides taking turns in each round (a machine whose load changes
    during the run then weighs on every side alike)."""
    sys.path.insert(0, str(ROOT))
    sales = make_frame(rows)
    computes = {side: _side(side, sales) for side in SIDES}
    found: dict[str, dict] = {side: {"times": []} for side in SIDES}
    for side, compute in computes.items():
        found[side]["revenue"] = float(compute()["revenue"].sum())  # warm up
    for _ in range(runs):
        for side, compute in computes.items():
            start = time.perf_counter()
            compute()
            found[side]["times"].append(time.perf_counter() - start)
    return found


def _child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory", choices=SIDES, help=argparse.SUPPRESS)  # a child process measuring one side
    parser.add_argument("--times", action="store_true", help=argparse.SUPPRESS)  # the child process timing all
    args = parser.parse_args()
    if args.rows < 1 or args.runs < 1:
        parser.error("--rows and --runs must be positive")
    if args.memory:
        print(json.dumps(memory_of(args.memory, args.rows)))
        return
    if args.times:
        print(json.dumps(times_of(args.rows, args.runs)))
        return
    times = _child("--times", "--rows", str(args.rows), "--runs", str(args.runs))
    results = []
    for side in SIDES:
        memory = _child("--memory", side, "--rows", str(args.rows))
        runs = times[side]["times"]
        results.append({**memory, "seconds": statistics.median(runs), "best": min(runs),
                        "revenue": times[side]["revenue"]})
    print(report(results, args.rows, args.runs))


def report(results: list[dict], rows: int, runs: int) -> str:
    base = next(r for r in results if r["side"] == "by hand")
    mb = 1024 * 1024
    lines = [f"{rows:,} rows, {runs} runs each; DataFrame {base['frame'] / mb:,.0f} MB; "
             f"result {base['result_rows']} rows, {base['result'] / 1024:,.1f} KB",
             f"{'side':<12} {'median s':>9} {'best s':>8} {'x by hand':>10} {'peak MB':>8} {'peak/frame':>11}"]
    for r in results:
        lines.append(f"{r['side']:<12} {r['seconds']:>9.3f} {r['best']:>8.3f} {r['seconds'] / base['seconds']:>10.2f} "
                     f"{r['peak'] / mb:>8.1f} {r['peak'] / r['frame']:>11.2f}")
    same = all(abs(r["revenue"] - base["revenue"]) <= 1e-6 * abs(base["revenue"]) for r in results)
    lines.append(f"same result on every side: {same}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
