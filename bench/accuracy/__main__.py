"""``python -m bench.accuracy``: run the accuracy benchmark (see ``--help``)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from vanna_magic.core.errors import ConfigurationError

from .conditions import CONDITIONS, product_settings
from .databases import DEFAULT_SERVER
from .datasets import BenchError
from .runner import Options, run

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "data" / "defog-dev"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m bench.accuracy", description=(
        "Execution accuracy of text-to-SQL on a defog (sql-eval) or Spider dataset: a plain-prompt baseline, "
        "Session.ask zero-shot, and Session.ask with the other questions of the database as knowledge "
        "(leave-one-out), same model, same run. Results are saved as they come; rerunning resumes."))
    p.add_argument("--model", required=True, help="litellm model string, e.g. openai/qwen2.5-coder-1.5b")
    p.add_argument("--api-base", help="base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8765/v1")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA,
                   help=f"dataset folder, defog or Spider layout (default {DEFAULT_DATA})")
    p.add_argument("--dialect", choices=("sqlite", "postgres", "both"),
                   help="sqlite (the default), postgres, or both; --warehouse is postgres only")
    p.add_argument("--db", action="append", default=[], metavar="NAME", help="only this database (repeatable)")
    subset = p.add_mutually_exclusive_group()
    subset.add_argument("--limit", type=int, metavar="N", help="the first N questions (per dialect)")
    subset.add_argument("--sample", type=int, metavar="N", help="N questions stratified by category (per dialect)")
    p.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    p.add_argument("--conditions", default=",".join(CONDITIONS),
                   help=f"comma-separated, from {', '.join(CONDITIONS)} (default all)")
    p.add_argument("--out", type=Path, default=Path("accuracy-results"),
                   help="folder of results.jsonl, responses.jsonl, report.md, summary.json (default accuracy-results)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds each gold and predicted query may run")
    p.add_argument("--model-timeout", type=float, default=120.0, help="seconds a model call may take (default 120)")
    p.add_argument("--max-rows", type=int, help="the firewall's row cap (default: the product's max_rows, 1000); "
                   "gold results are not capped, so raise it for datasets with larger answers")
    p.add_argument("--offline", action="store_true", help="never call the model: recorded responses only")
    p.add_argument("--rescore", action="store_true",
                   help="answer and score every question again (responses from responses.jsonl where recorded)")
    p.add_argument("--postgres", default=DEFAULT_SERVER,
                   help=f"PostgreSQL server to load the vanna_bench_<db> databases into (default {DEFAULT_SERVER})")
    p.add_argument("--warehouse", type=int, metavar="SIZE",
                   help="ask zero_shot and knowledge through a connection to the warehouse vanna_scale_SIZE (each "
                        "database a schema among distractor tables; build it with python -m bench.accuracy.warehouse "
                        "SIZE); gold queries still run on vanna_bench_<db>; the baseline is not run; use its own --out")
    p.add_argument("--cache-dir", type=Path, help="where SQLite databases are built (default OUT/databases)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", dest="settings",
                   help="a product setting for every condition, e.g. --set example_budget=150 (repeatable; "
                        "use a new --out: results are resumed by question, not by setting)")
    return p


def options_from(args: argparse.Namespace) -> Options:
    for name in ("limit", "sample", "max_rows", "warehouse"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            raise BenchError(f"--{name.replace('_', '-')} must be a positive integer, got {value}")
    for name in ("timeout", "model_timeout"):
        if not getattr(args, name) > 0:
            raise BenchError(f"--{name.replace('_', '-')} must be a positive number of seconds, got "
                             f"{getattr(args, name)}")
    conditions = tuple(dict.fromkeys(c.strip() for c in args.conditions.split(",") if c.strip()))
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown or not conditions:
        raise BenchError(f"unknown condition {unknown[0]!r}: choose from {', '.join(CONDITIONS)}" if unknown
                         else f"--conditions is empty: choose from {', '.join(CONDITIONS)}")
    if args.warehouse is not None and args.dialect not in (None, "postgres"):
        raise BenchError(f"--warehouse runs on PostgreSQL only, not --dialect {args.dialect}: use --dialect postgres "
                         "(or leave --dialect out)")
    dialect = args.dialect or ("postgres" if args.warehouse is not None else "sqlite")
    dialects = ("sqlite", "postgres") if dialect == "both" else (dialect,)
    settings = {}
    for item in args.settings:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise BenchError(f"--set takes NAME=VALUE, got {item!r}")
        settings[name.strip()] = value.strip()
    try:
        product_settings(settings)
    except ConfigurationError as exc:
        raise BenchError("--set: " + re.sub(r" from environment variable \S+", "", exc.message)) from None
    return Options(dataset=args.data, out=args.out, model=args.model, dialects=dialects, conditions=conditions,
                   dbs=list(dict.fromkeys(args.db)), limit=args.limit, sample=args.sample, seed=args.seed,
                   timeout=args.timeout, api_base=args.api_base, offline=args.offline, rescore=args.rescore,
                   postgres=args.postgres, cache_dir=args.cache_dir, max_rows=args.max_rows,
                   model_timeout=args.model_timeout, settings=settings, warehouse=args.warehouse)


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    try:
        run(options_from(args))
    except BenchError as exc:
        print(f"{p.prog}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{p.prog}: interrupted; the results so far are saved: run the same command to resume", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
