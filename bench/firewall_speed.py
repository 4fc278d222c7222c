"""Firewall speed: check time per statement against sqlglot's parse of the same statement.

For every defog-dev gold query (both dialects, ``{a, b}`` alternatives expanded), measures
the median over ``--runs`` repetitions of ``Firewall.check`` (parse, every rule on the tree,
row-cap rewrite, rendering) and of ``sqlglot.parse`` alone, in the same run, then reports the
median per statement and the median of the per-statement ratios.  A second row adds a data
policy (row filter, hidden and masked columns on the busiest tables).

Target: firewall <= 3x parse.  Usage: ``python bench/firewall_speed.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.defog import gold_queries  # noqa: E402
from vanna_magic.core.guard import Firewall  # noqa: E402
from vanna_magic.core.guard.policy import RolePolicy  # noqa: E402

TARGET = 3.0


def _median_time(action, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure(dialect: str, runs: int, policy: RolePolicy | None) -> tuple[int, float, float, float]:
    import sqlglot

    firewall = Firewall(dialect, 1000, policy=policy, columns=lambda schema, table: ["a", "b", "name"])
    checks, parses, ratios = [], [], []
    for gold in gold_queries(dialect):
        assert firewall.check(gold.sql).allowed, gold.id
        parse = _median_time(lambda sql=gold.sql: sqlglot.parse(sql, read=dialect), runs)
        check = _median_time(lambda sql=gold.sql: firewall.check(sql), runs)
        parses.append(parse)
        checks.append(check)
        ratios.append(check / parse)
    return len(checks), statistics.median(parses), statistics.median(checks), statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="repetitions per statement (median taken)")
    args = parser.parse_args()
    policy = RolePolicy("bench", rows={"author": "aid > 0", "flight": "flight_id > 0", "business": "stars >= 0"},
                        denied_columns={"publication": frozenset({"secret"})},
                        masks={"publication": {"name": "'***'"}})
    print(f"{'dialect':<10} {'policy':<7} {'statements':>10} {'parse ms':>9} {'check ms':>9} {'ratio':>6} "
          f"{'target':>7}")
    for dialect in ("sqlite", "postgres"):
        for label, role in (("none", None), ("yes", policy)):
            n, parse, check, ratio = measure(dialect, args.runs, role)
            verdict = "ok" if ratio <= TARGET else "MISSED"
            print(f"{dialect:<10} {label:<7} {n:>10} {parse * 1e3:>9.3f} {check * 1e3:>9.3f} {ratio:>5.2f}x "
                  f"{'<=' + str(TARGET) + 'x':>5} {verdict}")


if __name__ == "__main__":
    main()
