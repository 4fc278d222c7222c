"""The figures of a run, overall, per category and per database, as Markdown and JSON.

Per group and condition: ``n`` questions scored (gold errors and questions the model never
answered are left out and counted apart), execution accuracy (correct / n), error rate
((rejected + error) / n), the median prompt tokens of the first model call (the context
before any repair) and of all model calls of a question (repairs included), the median
latency (seconds from question to rows, model included; near zero for replayed responses)
and the repairs used (model calls after the first, summed).
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

from .conditions import CONDITIONS

# Why the baseline is not run in warehouse mode (see the README, "Accuracy").
SKIPPED_BASELINE = ("the plain prompt cannot hold the DDL of a warehouse's thousands of tables; compare with the "
                    "baseline of a plain run (--dialect postgres without --warehouse)")

BREAKDOWNS = (("overall", lambda r: "all"), ("category", lambda r: r.category), ("database", lambda r: r.db))


def summarize(records: Iterable[Any], *, options: dict, model_stats: dict) -> dict:
    records = list(records)
    summary: dict[str, Any] = {"options": options, "model_calls": model_stats, "breakdowns": {}}
    for name, group_of in BREAKDOWNS:
        groups: dict[tuple, list] = defaultdict(list)
        for record in records:
            groups[(group_of(record), record.dialect, record.condition)].append(record)
        summary["breakdowns"][name] = [_figures(group, dialect, condition, members)
                                       for (group, dialect, condition), members in sorted(groups.items(), key=_order)]
    return summary


def _order(item: tuple) -> tuple:
    (group, dialect, condition), _ = item
    return group, dialect, CONDITIONS.index(condition) if condition in CONDITIONS else len(CONDITIONS), condition


def _figures(group: str, dialect: str, condition: str, members: list) -> dict:
    scored = [r for r in members if r.status != "gold_error" and not r.retry]
    n = len(scored)
    count = {s: sum(1 for r in scored if r.status == s) for s in ("correct", "wrong", "rejected", "error")}
    return {
        "group": group, "dialect": dialect, "condition": condition, "n": n, **count,
        "gold_errors": sum(1 for r in members if r.status == "gold_error"),
        "unanswered": sum(1 for r in members if r.retry and r.status != "gold_error"),
        "accuracy": round(count["correct"] / n, 4) if n else None,
        "error_rate": round((count["rejected"] + count["error"]) / n, 4) if n else None,
        "median_first_prompt_tokens": statistics.median(r.first_prompt_tokens for r in scored) if n else None,
        "median_prompt_tokens": statistics.median(r.prompt_tokens for r in scored) if n else None,
        "median_latency": round(statistics.median(r.latency for r in scored), 3) if n else None,
        "repairs": sum(r.repairs for r in scored),
    }


def markdown(summary: dict) -> str:
    lines = []
    options = summary.get("options") or {}
    size = options.get("warehouse")
    if size is not None:
        lines += [f"Asked through the warehouse vanna_scale_{size} ({size} tables, every schema visible); the "
                  "gold queries ran against each database's own vanna_bench_<db>.", ""]
        lines += [f"Not run: {condition}: {reason}." for condition, reason in (options.get("skipped") or {}).items()]
        lines += [""] if options.get("skipped") else []
    for name, _ in BREAKDOWNS:
        rows = summary["breakdowns"][name]
        lines += [f"### {'Overall' if name == 'overall' else 'By ' + name}", "",
                  f"| {name} | dialect | condition | n | accuracy | error rate | median prompt tokens, first call "
                  "| median prompt tokens, all calls | median latency (s) | repairs |",
                  "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for row in rows:
            lines.append(f"| {row['group']} | {row['dialect']} | {row['condition']} | {row['n']} | "
                         f"{_percent(row['accuracy'])} | {_percent(row['error_rate'])} | "
                         f"{_number(row.get('median_first_prompt_tokens'))} | "
                         f"{_number(row['median_prompt_tokens'])} | {_number(row['median_latency'])} | "
                         f"{row['repairs']} |")
        lines.append("")
    left_out = [(r["dialect"], r["condition"], r["gold_errors"], r["unanswered"])
                for r in summary["breakdowns"]["overall"] if r["gold_errors"] or r["unanswered"]]
    for dialect, condition, gold_errors, unanswered in left_out:
        lines.append(f"Left out of {condition} ({dialect}): {gold_errors} questions whose gold SQL does not run, "
                     f"{unanswered} the model did not answer (rerun to ask them again).")
    return "\n".join(lines).rstrip() + "\n"


def write_report(summary: dict, out: Path) -> str:
    """Write ``report.md`` and ``summary.json`` into ``out``; the Markdown."""
    text = markdown(summary)
    (Path(out) / "report.md").write_text(text, encoding="utf-8")
    (Path(out) / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    return text


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
