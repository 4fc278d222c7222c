"""``python -m bench.accuracy.split RESULTS.jsonl...``: the figures a change is judged by, per part of a split.

The development set is split by database: the rules, prompt lines and settings are tuned on one part
and kept only when they pay on the other (``--check``, by default academic... see :data:`CHECK`). For each
part, dialect and condition: accuracy, execution errors and wrong answers apart, median latency and its
ratio to the plain prompt's; what became of the plain prompt's execution errors (how many of those the
pipeline removed became right answers); each confidence level's share of answers and how many were right,
and the share of all wrong answers marked low; and per rewrite rule, the answers it changed and how they
ended. Several results files are shown side by side; the records of a warehouse run (``--warehouse``) are
labelled with its size in the dialect column (``postgres @ 1000 tables``), so a warehouse run and a plain
run of the same questions are told apart.

>>> part_of("geography", frozenset({"geography"}))
'check'
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

CHECK = frozenset({"geography", "restaurants", "scholar"})  # the part nothing is tuned on
ERRORS = ("error", "rejected")


def part_of(db: str, check: frozenset[str]) -> str:
    return "check" if db in check else "dev"


def load(path: Path) -> list[dict]:
    records: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            if record.get("warehouse") is not None:
                record["dialect"] = f"{record['dialect']} @ {record['warehouse']} tables"
            records[f"{record['condition']}|{record['dialect']}|{record['id']}"] = record
    return [r for r in records.values() if r["status"] != "gold_error" and not r.get("retry")]


def accuracy_table(records: list[dict], check: frozenset[str]) -> list[str]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in records:
        groups[(part_of(r["db"], check), r["dialect"], r["condition"])].append(r)
    plain = {key[:2]: statistics.median(x["latency"] for x in members)
             for key, members in groups.items() if key[2] == "baseline"}
    lines = ["| part | dialect | condition | n | accuracy | vs plain | errors | wrong | median latency (s) | "
             "latency / plain | repairs |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    base_accuracy = {}
    for key in sorted(groups, key=lambda k: (k[0] != "check", k[1], _rank(k[2]))):
        members = groups[key]
        n = len(members)
        right = sum(r["status"] == "correct" for r in members)
        errors = sum(r["status"] in ERRORS for r in members)
        wrong = sum(r["status"] == "wrong" for r in members)
        latency = statistics.median(r["latency"] for r in members)
        if key[2] == "baseline":
            base_accuracy[key[:2]] = right / n
        delta = 100 * (right / n - base_accuracy[key[:2]]) if key[:2] in base_accuracy else None
        ratio = latency / plain[key[:2]] if plain.get(key[:2]) else None
        shown = "-" if delta is None else f"{delta:+.1f}"
        lines.append(f"| {key[0]} | {key[1]} | {key[2]} | {n} | {100 * right / n:.1f}% | "
                     f"{shown} | {100 * errors / n:.1f}% | {100 * wrong / n:.1f}% | "
                     f"{latency:.1f} | {'-' if ratio is None else f'{ratio:.2f}x'} | "
                     f"{sum(r['repairs'] for r in members)} |")
    return lines


def conversions(records: list[dict], check: frozenset[str]) -> list[str]:
    """Of the plain prompt's execution errors the pipeline removed, how many became right answers."""
    by_key = {(r["condition"], r["dialect"], r["id"]): r for r in records}
    lines = ["| part | dialect | condition | plain errors | removed | became right | share right |",
             "|---|---|---|---:|---:|---:|---:|"]
    table: Counter = Counter()
    for (condition, dialect, qid), r in by_key.items():
        base = by_key.get(("baseline", dialect, qid))
        if condition == "baseline" or base is None or base["status"] not in ERRORS:
            continue
        part = part_of(r["db"], check)
        table[(part, dialect, condition, "errors")] += 1
        if r["status"] not in ERRORS:
            table[(part, dialect, condition, "removed")] += 1
            table[(part, dialect, condition, "right")] += r["status"] == "correct"
    keys = sorted({k[:3] for k in table}, key=lambda k: (k[0] != "check", k[1], _rank(k[2])))
    for key in keys:
        errors, removed, right = (table[(*key, s)] for s in ("errors", "removed", "right"))
        lines.append(f"| {key[0]} | {key[1]} | {key[2]} | {errors} | {removed} | {right} | "
                     f"{100 * right / removed:.0f}% |" if removed else f"| {' | '.join(key)} | {errors} | 0 | 0 | - |")
    return lines


def calibration(records: list[dict], check: frozenset[str]) -> list[str]:
    lines = ["| part | dialect | condition | level | answers | share | right | right share | share of wrong |",
             "|---|---|---|---|---:|---:|---:|---:|---:|"]
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in records:
        if r["condition"] != "baseline":
            groups[(part_of(r["db"], check), r["dialect"], r["condition"])].append(r)
    for key in sorted(groups, key=lambda k: (k[0] != "check", k[1], _rank(k[2]))):
        members = groups[key]
        answered = [r for r in members if r["status"] not in ERRORS]
        wrong = [r for r in members if r["status"] != "correct"]  # errors are wrong too: shown, not trusted
        for level in ("high", "medium", "low"):
            at = [r for r in answered if r.get("confidence") == level]
            right = sum(r["status"] == "correct" for r in at)
            wrong_here = sum(r["status"] == "wrong" for r in at)
            lines.append(f"| {key[0]} | {key[1]} | {key[2]} | {level} | {len(at)} | "
                         f"{100 * len(at) / max(len(answered), 1):.0f}% | {right} | "
                         f"{100 * right / len(at):.0f}% | " if at else
                         f"| {key[0]} | {key[1]} | {key[2]} | {level} | 0 | 0% | 0 | - | ")
            lines[-1] += f"{100 * wrong_here / max(sum(r['status'] == 'wrong' for r in wrong), 1):.0f}% |"
    return lines


def rules(records: list[dict], check: frozenset[str]) -> list[str]:
    """Per rule: the answers it changed (both dialects), and how they ended, per part."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for r in records:
        for rule in set(r.get("rewrites") or ()):
            counts[rule][(part_of(r["db"], check), r["status"])] += 1
    lines = ["| rule | answers changed | dev right / wrong / errors | check right / wrong / errors |",
             "|---|---:|---|---|"]
    for rule in sorted(counts, key=lambda k: -sum(counts[k].values())):
        c = counts[rule]
        parts = [" / ".join(str(c[(part, s)] if s != "error" else c[(part, "error")] + c[(part, "rejected")])
                            for s in ("correct", "wrong", "error")) for part in ("dev", "check")]
        lines.append(f"| {rule} | {sum(c.values())} | {parts[0]} | {parts[1]} |")
    return lines


def _rank(condition: str) -> int:
    order = ("baseline", "zero_shot", "knowledge")
    return order.index(condition) if condition in order else len(order)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy.split", description=__doc__.split("\n")[0])
    parser.add_argument("results", type=Path, nargs="+", help="results.jsonl of a run (several: side by side)")
    parser.add_argument("--check", default=",".join(sorted(CHECK)), help="the databases of the check part")
    args = parser.parse_args(argv)
    check = frozenset(name.strip() for name in args.check.split(",") if name.strip())
    records = [record for path in args.results for record in load(path)]
    for title, lines in (("Accuracy", accuracy_table(records, check)),
                         ("The plain prompt's execution errors", conversions(records, check)),
                         ("Confidence", calibration(records, check)), ("Rewrite rules", rules(records, check))):
        print(f"### {title}\n")
        print("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
