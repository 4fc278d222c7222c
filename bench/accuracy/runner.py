"""One benchmark run: every selected question, under every condition, scored and saved as it goes.

Results are appended to ``<out>/results.jsonl``, one record per condition, dialect and question
(``key`` ``condition|dialect|id``): a rerun skips the questions already answered, except those
the model never answered (the server was down, a replay miss offline), which are asked again.
``--rescore`` answers everything again from the recorded responses (no model time).

With ``warehouse`` (a size), ``zero_shot`` and ``knowledge`` connect to the warehouse ``vanna_scale_<size>``
(:mod:`.warehouse`) and the gold queries run against ``vanna_bench_<db>``; the baseline is not run, since
its plain prompt cannot hold the DDL of the warehouse's tables. Every record carries the size, and a
results file holds the records of one kind of run only.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from vanna_magic.core.evaluate.scorer import GoldResult, GoldUnavailable, judge, run_gold

from .conditions import CONDITIONS, open_condition, product_settings
from .databases import DEFAULT_SERVER, postgres_url, sqlite_url
from .datasets import BenchError, Question, load_dataset, select
from .models import CachedModel, live_model
from .report import SKIPPED_BASELINE, summarize, write_report
from .warehouse import warehouse_url

MODEL_DOWN_AFTER = 3  # live-model failures in a row that stop the run (it resumes where it stopped)


@dataclass
class Options:
    dataset: Path
    out: Path
    model: str
    dialects: tuple[str, ...] = ("sqlite",)
    conditions: tuple[str, ...] = CONDITIONS
    dbs: list[str] = field(default_factory=list)
    limit: int | None = None
    sample: int | None = None
    seed: int = 0
    timeout: float = 30.0
    api_base: str | None = None
    offline: bool = False
    rescore: bool = False
    postgres: str = DEFAULT_SERVER
    cache_dir: Path | None = None
    max_rows: int | None = None  # the firewall's row cap; None: the product's default, as users get it
    model_timeout: float = 120.0
    model_retries: int = 1
    settings: dict[str, str] = field(default_factory=dict)  # product settings of zero_shot and knowledge
    warehouse: int | None = None  # ask through the warehouse of this many tables (PostgreSQL only)


@dataclass
class Record:
    condition: str
    dialect: str
    db: str
    id: str
    category: str
    question: str
    status: str  # correct | wrong | rejected | error | gold_error
    reason: str = ""
    sql: str | None = None
    prompt_tokens: int = 0  # all model calls of the question
    first_prompt_tokens: int = 0  # the first call alone: what the context costs before any repair
    latency: float = 0.0
    repairs: int = 0
    replayed: bool = False
    retry: bool = False  # the model never answered: asked again on the next run
    model: str = ""
    confidence: str = ""  # high | medium | low (ours, for an answer that ran)
    reasons: list[str] = field(default_factory=list)
    rewrites: list[str] = field(default_factory=list)  # the rewrite rules that changed the SQL (one per change)
    notes: list[str] = field(default_factory=list)
    warehouse: int | None = None  # the size of the warehouse the question was asked through (None: its own database)

    @property
    def key(self) -> str:
        return f"{self.condition}|{self.dialect}|{self.id}"


def run(options: Options, *, model: Any = None, echo: Callable[[str], None] = print) -> dict:
    """Run the benchmark; ``model`` (any LanguageModel) replaces the live model, e.g. in tests."""
    dataset = load_dataset(options.dataset, options.dialects)
    conditions = options.conditions
    if options.warehouse is not None:
        if options.dialects != ("postgres",):
            raise BenchError("--warehouse runs on PostgreSQL only: use --dialect postgres (or leave --dialect out)")
        conditions = tuple(c for c in conditions if c != "baseline")
        if not conditions:
            raise BenchError("--warehouse runs zero_shot and knowledge only: " + SKIPPED_BASELINE)
    out = Path(options.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.jsonl"
    done = {} if options.rescore else read_results(results, options.model, options.warehouse)
    if options.rescore and results.exists():
        results.replace(out / "results.previous.jsonl")
    online = model is not None or not options.offline

    def cached_model(temperature: float) -> CachedModel:
        live = model if model is not None else live_model(
            options.model, api_base=options.api_base, timeout=options.model_timeout, retries=options.model_retries,
            temperature=temperature, sample_temperature=product.sample_temperature) if online else None
        return CachedModel(out / "responses.jsonl", options.model, live, samples=temperature > 0)

    # The baseline is the plain prompt at temperature 0; ours use the product's temperature, and
    # above 0 every call is a sample of its own; candidates after the first are samples at sample_temperature.
    product = product_settings(options.settings)
    temperature = product.temperature
    cached = cached_model(0.0)
    sampled = cached_model(temperature) if temperature > 0 else cached
    models = [cached] if sampled is cached else [cached, sampled]
    cache_dir = Path(options.cache_dir).expanduser() if options.cache_dir else out / "databases"
    selected: list[Record] = []
    down = 0
    for dialect in options.dialects:
        questions = select(dataset.questions[dialect], dbs=options.dbs, limit=options.limit, sample=options.sample,
                           seed=options.seed, known=sorted(dataset.databases))
        by_db: dict[str, list[Question]] = defaultdict(list)
        for q in questions:
            by_db[q.db].append(q)
        warehouse = (warehouse_url(options.warehouse, list(by_db), options.postgres)
                     if options.warehouse is not None else None)
        for db, asked in by_db.items():
            files = dataset.database(db, dialect)
            url = sqlite_url(files, cache_dir) if dialect == "sqlite" else postgres_url(files, options.postgres)
            golds = _GoldCache(url, options.timeout)
            everyone = [q for q in dataset.questions[dialect] if q.db == db]
            for condition in conditions:
                todo = [q for q in asked if _key(condition, dialect, q) not in done
                        or done[_key(condition, dialect, q)].retry]
                if todo:
                    condition_model = cached if condition == "baseline" else sampled
                    runner = open_condition(condition, url=warehouse or url, dialect=dialect, files=files,
                                            questions=everyone, work=out / "work", model=condition_model,
                                            timeout=options.timeout, max_rows=options.max_rows,
                                            settings=options.settings, schema=db if warehouse else None)
                    try:
                        for q in todo:
                            before = condition_model.failures
                            condition_model.new_question()
                            record = evaluate(runner, q, condition, dialect, golds, options.model)
                            record.warehouse = options.warehouse
                            prompts = condition_model.prompts
                            record.first_prompt_tokens = prompts[0] if prompts else 0
                            record.retry = condition_model.failures > before and record.status in ("error", "rejected")
                            _append(results, record)
                            done[record.key] = record
                            echo(f"{condition:<9} {dialect:<8} {q.id:<16} {record.status:<10} {record.reason[:90]}")
                            down = down + 1 if record.retry and online else 0
                            if down >= MODEL_DOWN_AFTER:
                                raise BenchError(f"the model {options.model} did not answer {down} times in a row "
                                                 f"({record.reason}); the results so far are in {results}: run the "
                                                 "same command again to resume")
                    finally:
                        runner.close()
                        golds.close()
                selected += [done[_key(condition, dialect, q)] for q in asked]
    described = _describe(options, dataset.layout)
    described["conditions"] = list(conditions)
    if options.warehouse is not None and "baseline" in options.conditions:
        described["skipped"] = {"baseline": SKIPPED_BASELINE}
    summary = summarize(selected, options=described, model_stats={
        stat: sum(getattr(m, stat) for m in models) for stat in ("live_calls", "replayed", "failures")})
    echo(write_report(summary, out))
    return summary


def evaluate(runner: Any, question: Question, condition: str, dialect: str, golds: "_GoldCache",
             model: str) -> Record:
    start = time.perf_counter()
    outcome = runner.ask(question)
    latency = time.perf_counter() - start
    record = Record(condition, dialect, question.db, question.id, question.category, question.text,
                    status=outcome.failure or "", reason=outcome.reason, sql=outcome.sql,
                    prompt_tokens=outcome.prompt_tokens, latency=round(latency, 4), repairs=outcome.repairs,
                    replayed=outcome.replayed, model=model, confidence=outcome.confidence,
                    reasons=list(outcome.reasons), rewrites=list(outcome.rewrites), notes=list(outcome.notes))
    gold = golds.get(question)
    try:
        if outcome.failure is None:
            verdict = judge(gold, outcome.frame, question.text, dialect)
            record.status, record.reason = ("correct", "") if verdict.correct else ("wrong", verdict.reason)
        elif not any(g.frame is not None for g in gold):
            raise GoldUnavailable("; ".join(dict.fromkeys(g.error or "" for g in gold)))
    except GoldUnavailable as exc:
        record.status, record.reason = "gold_error", str(exc)
    except Exception as exc:  # a scorer failure must not lose the question either
        record.status, record.reason = "error", f"scoring: {type(exc).__name__}: {exc}"
    return record


class _GoldCache:
    """Gold results of one database, run once per question whatever the number of conditions."""

    def __init__(self, url: str, timeout: float):
        self.url, self.timeout = url, timeout
        self._db = None
        self._results: dict[str, list[GoldResult]] = {}

    def get(self, question: Question) -> list[GoldResult]:
        if question.id not in self._results:
            from vanna_magic.core.data.database import Database

            if self._db is None:
                self._db = Database(self.url, query_timeout=self.timeout)
            db = self._db
            self._results[question.id] = run_gold(question.gold_queries,
                                                  lambda sql: db.execute(sql, timeout=self.timeout).frame)
        return self._results[question.id]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _key(condition: str, dialect: str, question: Question) -> str:
    return f"{condition}|{dialect}|{question.id}"


def read_results(path: Path, model: str, warehouse: int | None = None) -> dict[str, Record]:
    """The records of a previous run (later lines win); refuses a file written with another model, or by
    another kind of run (a plain run, or a warehouse of another size)."""
    records: dict[str, Record] = {}
    if not path.is_file():
        return records
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = Record(**json.loads(line))
        except (json.JSONDecodeError, TypeError) as exc:
            raise BenchError(f"{path} line {number} is not a result record ({exc}); delete that line or the file "
                             "to run those questions again") from None
        if record.model != model:
            raise BenchError(f"{path} holds results of the model {record.model!r}, not {model!r}: use another --out")
        if record.warehouse != warehouse:
            raise BenchError(f"{path} holds results {_run_kind(record.warehouse)}, not {_run_kind(warehouse)}: "
                             "use another --out")
        records[record.key] = record
    return records


def _run_kind(warehouse: int | None) -> str:
    return "of a plain run" if warehouse is None else f"asked through the warehouse of {warehouse} tables"


def _append(path: Path, record: Record) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(record), ensure_ascii=False, default=str) + "\n")
        handle.flush()


def _describe(options: Options, layout: str) -> dict:
    described = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(options).items()}
    described["layout"] = layout
    return described
