"""Engine overhead: every stage of ``%%ask`` except the model call, and ``%load_ext``.

Runs ``Session.ask`` on the demo database with a 1,000-example knowledge base and
model responses replayed from a file, many times, and prints per-stage medians
beside baselines measured in the same run:

- the same SQL run by hand (``sqlite3`` + ``pandas.read_sql_query``), the least a
  user would pay without the engine;
- ``%load_ext`` of IPython's own ``autoreload`` extension, in the same fresh process.

Targets: everything but the model call <= 25 ms median; ``%load_ext vanna_magic`` <= 1 s.
Usage: ``python bench/engine_overhead.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vanna_magic import Session  # noqa: E402
from vanna_magic.core.config import load_settings  # noqa: E402
from vanna_magic.core.data.demo import demo_database, demo_knowledge_base  # noqa: E402
from vanna_magic.core.generate.model import Completion  # noqa: E402
from vanna_magic.core.generate.replay import ReplayModel  # noqa: E402

CATEGORIES = ["Electronics", "Books", "Sports", "Toys", "Clothing", "Home & Kitchen"]
STATUSES = ["pending", "shipped", "delivered", "cancelled", "returned"]
YEARS = ["2023", "2024", "2025"]

# The questions asked in the timed runs, with the SQL the scripted model answers.
QUESTIONS = {
    "Which 5 customers spent the most in 2024?":
        "SELECT c.name, SUM(oi.quantity * oi.unit_price * (1 - oi.discount)) AS revenue FROM customers c "
        "JOIN orders o ON o.customer_id = c.customer_id JOIN order_items oi ON oi.order_id = o.order_id "
        "WHERE o.order_date >= '2024-01-01' AND o.order_date < '2025-01-01' "
        "AND o.status NOT IN ('cancelled', 'returned') GROUP BY c.customer_id ORDER BY revenue DESC LIMIT 5",
    "How many orders are in each status?":
        "SELECT status, COUNT(*) AS orders FROM orders GROUP BY status ORDER BY orders DESC",
    "What are the 10 most expensive products?":
        "SELECT name, category, unit_price FROM products ORDER BY unit_price DESC LIMIT 10",
    "How many customers are there per region?":
        "SELECT r.name AS region, COUNT(*) AS customers FROM customers c "
        "JOIN regions r ON r.region_id = c.region_id GROUP BY r.name ORDER BY customers DESC",
}


class ScriptedModel:
    """Answers the benchmark questions with fixed SQL; used once, to record the replay file."""

    name = "bench/scripted"

    def complete(self, messages):
        user = messages[-1]["content"]
        sql = next(sql for question, sql in QUESTIONS.items() if question in user)
        return Completion(text=f"```sql\n{sql}\n```", model=self.name, prompt_tokens=0,
                          completion_tokens=0, cost=None, elapsed=0.0)


def build_knowledge_base(target: Path, size: int) -> None:
    """The demo knowledge base plus generated example pairs, ``size`` examples in all."""
    shutil.copytree(demo_knowledge_base(), target)
    examples = target / "examples"
    existing = len(list(examples.glob("*.sql")))
    templates = [
        ("How many {s} orders were there in {y} for {c}?",
         "SELECT COUNT(DISTINCT o.order_id) FROM orders o JOIN order_items oi ON oi.order_id = o.order_id "
         "JOIN products p ON p.product_id = oi.product_id WHERE o.status = '{s}' AND p.category = '{c}' "
         "AND strftime('%Y', o.order_date) = '{y}'"),
        ("What was the {c} revenue from {s} orders in {y}?",
         "SELECT SUM(oi.quantity * oi.unit_price * (1 - oi.discount)) FROM orders o "
         "JOIN order_items oi ON oi.order_id = o.order_id JOIN products p ON p.product_id = oi.product_id "
         "WHERE o.status = '{s}' AND p.category = '{c}' AND strftime('%Y', o.order_date) = '{y}'"),
        ("Average quantity per line for {c} in {y} ({s} orders)",
         "SELECT AVG(oi.quantity) FROM order_items oi JOIN orders o ON o.order_id = oi.order_id "
         "JOIN products p ON p.product_id = oi.product_id WHERE p.category = '{c}' "
         "AND strftime('%Y', o.order_date) = '{y}' AND o.status = '{s}'"),
    ]
    n = 0
    for month in range(1, 13):
        for template, sql in templates:
            for c in CATEGORIES:
                for s in STATUSES:
                    for y in YEARS:
                        if existing + n >= size:
                            return
                        q = template.format(c=c, s=s, y=y) + f" (month {month})"
                        body = (sql.format(c=c, s=s, y=y)
                                + f" AND CAST(strftime('%m', o.order_date) AS INTEGER) = {month}")
                        (examples / f"generated_{n:05d}.sql").write_text(f"-- Question: {q}\n{body}\n")
                        n += 1


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def time_load_ext(runs: int) -> tuple[float, float]:
    code = (
        "import time; from IPython.core.interactiveshell import InteractiveShell; ip = InteractiveShell.instance(); "
        "t = time.perf_counter(); ip.run_line_magic('load_ext', 'autoreload'); a = time.perf_counter() - t; "
        "t = time.perf_counter(); ip.run_line_magic('load_ext', 'vanna_magic'); v = time.perf_counter() - t; "
        "print(a, v)")
    ours, base = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
        a, v = map(float, out.stdout.split()[-2:])
        base.append(a)
        ours.append(v)
    return statistics.median(ours), statistics.median(base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per question (default 50)")
    parser.add_argument("--examples", type=int, default=1000, help="knowledge-base size (default 1000)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="vanna-bench-"))
    kb = work / "kb"
    build_knowledge_base(kb, args.examples)
    settings = load_settings(environ={}, start=None).replace(cache_dir=str(work / "cache"), knowledge_base=str(kb))
    replay = work / "replay.jsonl"
    recorder = ReplayModel(replay, model_name="bench/scripted", inner=ScriptedModel(), mode="record")
    warm = Session(settings=settings, model=recorder)
    for question in QUESTIONS:
        warm.ask(question)
    n_examples = len(warm.knowledge_base.examples)
    warm.close()

    session = Session(settings=settings, model=ReplayModel(replay, model_name="bench/scripted", inner=None))
    stages: dict[str, list[float]] = {}
    overhead, baseline = [], []
    db_path = demo_database(settings.cache_path)
    raw = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    import pandas as pd

    for _ in range(args.runs):
        for question, sql in QUESTIONS.items():
            start = time.perf_counter()
            answer = session.ask(question)
            wall = time.perf_counter() - start
            for stage, seconds in answer.timings.items():
                stages.setdefault(stage, []).append(seconds)
            stages.setdefault("outside the stages (session, checks)", []).append(wall - answer.total_seconds)
            overhead.append(wall - answer.timings.get("generate", 0.0))
            start = time.perf_counter()
            pd.read_sql_query(sql, raw)
            baseline.append(time.perf_counter() - start)
    session.close()
    load_ours, load_base = time_load_ext(max(3, args.runs // 10))

    rows = [(name if name.startswith("outside") else f"stage: {name}", median_ms(values))
            for name, values in stages.items()]
    print(f"\nEngine overhead on the demo database, {n_examples} knowledge-base examples, "
          f"{len(QUESTIONS)} questions x {args.runs} runs (medians)\n")
    print(f"| {'measure':<38} | {'ms':>9} |")
    print(f"|{'-' * 40}|{'-' * 11}|")
    for name, ms in rows:
        print(f"| {name:<38} | {ms:9.2f} |")
    total, base = median_ms(overhead), median_ms(baseline)
    print(f"| {'everything but the model call (wall)':<38} | {total:9.2f} |")
    print(f"| {'baseline: same SQL by hand (pandas)':<38} | {base:9.2f} |")
    print(f"| {'ratio engine / by hand':<38} | {total / base:9.2f} |")
    print(f"| {'%load_ext vanna_magic':<38} | {load_ours * 1000:9.1f} |")
    print(f"| {'baseline: %load_ext autoreload':<38} | {load_base * 1000:9.1f} |")
    print(f"\ntargets: everything but the model <= 25 ms: {'met' if total <= 25 else 'NOT met'}; "
          f"%load_ext <= 1 s: {'met' if load_ours <= 1 else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps({"stages_ms": dict(rows), "overhead_ms": total, "baseline_ms": base,
                                         "load_ext_s": load_ours, "load_ext_baseline_s": load_base}, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
