"""Prompt size on the defog-dev databases: our prompt against "DDL of every table + the question".

For each database, its ``sqlite.sql`` is loaded into a temporary SQLite file and its
``metadata.json`` imported as the knowledge base's column docs (no examples: the
questions are the benchmark's). For the first ``--questions`` questions of
``questions_sqlite.csv`` it prints the median prompt tokens (all messages, counted with
the product's tokenizer) of:

- ours: what ``Session.ask`` sends the model (system rules, linked tables, definitions,
  documents, values the question names, the question);
- plain: the accuracy benchmark's baseline prompt (``bench.accuracy.conditions.baseline_messages``):
  one line of instruction, ``CREATE TABLE`` of every table, the question;
- full: our instructions, ``CREATE TABLE`` of every table with the metadata's column
  descriptions as comments (as defog's sql-eval shows them), the question.

"ours new" and "plain new" are the median tokens a prompt adds after the start it shares with the
previous question's prompt: what a server that keeps the last prompt's evaluated start (llama.cpp,
vLLM's prefix cache, hosted prompt caching) evaluates again. The plain prompt repeats its whole schema,
so only its question is new; ours shows the tables linked to each question, so its schema changes too.

It also prints the value index: its build time (cold, from the database), its size and
the median time of matching one question, and "gold shown": of the questions, how many
prompts show every table some gold query reads (schema linking's recall). Target: our median <= the plain median on
every database. With ``--column-samples N`` it also prints the median of "ours" with that setting and the median
increase per question (the same question asked with and without samples). Usage:
``nice -n 10 python bench/prompt_size.py [--questions 20] [--column-samples 3]``.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlglot  # noqa: E402
from sqlglot import exp  # noqa: E402

from bench.accuracy.conditions import baseline_messages  # noqa: E402
from bench.accuracy.gold import variants  # noqa: E402
from vanna_magic import Session  # noqa: E402
from vanna_magic.core.data.schema import render_ddl  # noqa: E402
from vanna_magic.core.generate.column_notes import fold_column_docs  # noqa: E402
from vanna_magic.core.generate.model import Completion  # noqa: E402
from vanna_magic.core.generate.prompt import count_message_tokens, system_message  # noqa: E402
from vanna_magic.core.generate.tokens import count_tokens  # noqa: E402
from vanna_magic.core.generate.values import build  # noqa: E402
from vanna_magic.core.knowledge.importers.metadata import import_metadata  # noqa: E402

DEFOG = ROOT / "bench" / "data" / "defog-dev"
_CREATE = re.compile(r"^CREATE TABLE (\S+) \(", re.MULTILINE)


class Capture:
    """A model that answers every prompt with the same query and keeps the prompts."""

    name = "bench/capture"

    def __init__(self) -> None:
        self.calls: list[list[dict]] = []

    def complete(self, messages: list[dict], *, sample: int = 0) -> Completion:
        self.calls.append(messages)
        return Completion(text="SELECT 1", model=self.name, prompt_tokens=0, completion_tokens=0, cost=None,
                          elapsed=0.0)


def questions(db: str, limit: int) -> list[tuple[str, str]]:
    """(question, gold cell) of the database's first ``limit`` questions."""
    with open(DEFOG / "questions_sqlite.csv", newline="", encoding="utf-8") as handle:
        return [(row["question"], row["query"]) for row in csv.DictReader(handle) if row["db_name"] == db][:limit]


def gold_tables(cell: str) -> list[set[str]]:
    """The tables each acceptable gold query reads (lower case, CTE names left out)."""
    found = []
    for statement in variants(cell):
        tree = sqlglot.parse_one(statement, read="sqlite")
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        found.append({t.name.lower() for t in tree.find_all(exp.Table)} - ctes)
    return found


def shown_tables(messages: list[dict]) -> set[str]:
    return {name.strip('"').lower() for name in _CREATE.findall(messages[1]["content"])}


def plain_prompt(tables: list, question: str) -> list[dict]:
    return baseline_messages(question, "sqlite", tables)


def described_prompt(tables: list, documents: list, question: str) -> list[dict]:
    """Our instructions, every table with the column descriptions as comments, the question."""
    described, _ = fold_column_docs(tables, documents)
    return [{"role": "system", "content": system_message("sqlite", definitions=False, examples=False)},
            {"role": "user", "content": render_ddl(described, "sqlite") + "\n\n" + question}]


def flatten(messages: list[dict]) -> str:
    """The messages as one text in the order a chat template lays them out."""
    return "".join(f"<{m['role']}>{m['content']}</{m['role']}>" for m in messages)


def fresh_tokens(messages: list[dict], previous: list[dict] | None) -> int:
    """The tokens of ``messages`` after the longest start they share with ``previous``.

    What a server that keeps the last prompt's evaluated start (llama.cpp, vLLM's prefix
    cache, hosted prompt caching) must evaluate again for this prompt.
    """
    text = flatten(messages)
    shared = os.path.commonprefix([text, flatten(previous)]) if previous is not None else ""
    return count_tokens(text) - count_tokens(shared)


def measure(db: str, limit: int, work: Path, samples: int = 0) -> dict:
    folder = DEFOG / "databases" / db
    path = work / f"{db}.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript((folder / "sqlite.sql").read_text(encoding="utf-8"))
    conn.commit()
    conn.close()
    kb = work / f"{db}-kb"
    import_metadata(folder / "metadata.json", kb)
    model = Capture()
    session = Session(f"sqlite:///{path}", model=model, knowledge_base=str(kb), cache_dir=str(work / "cache"))
    tables = session.catalog().tables()
    start = time.perf_counter()
    index = build(session.database(), tables, "sqlite")
    build_seconds = time.perf_counter() - start
    ours, plain, described, matched, match_seconds, covered = [], [], [], 0, [], 0
    ours_fresh, plain_fresh, previous = [], [], None
    documents = session.knowledge_base.documents
    for question, gold in questions(db, limit):
        session.ask(question, run=False)
        ours.append(count_message_tokens(model.calls[-1]))
        ours_fresh.append(fresh_tokens(model.calls[-1], model.calls[-2] if len(model.calls) > 1 else None))
        plain_messages = plain_prompt(tables, question)
        plain_fresh.append(fresh_tokens(plain_messages, previous))
        previous = plain_messages
        shown = shown_tables(model.calls[-1])
        covered += any(needed <= shown for needed in gold_tables(gold))
        plain.append(count_message_tokens(plain_prompt(tables, question)))
        described.append(count_message_tokens(described_prompt(tables, documents, question)))
        start = time.perf_counter()
        matched += bool(index.match(question))
        match_seconds.append(time.perf_counter() - start)
    session.close()
    sampled, increase = [], []
    if samples:
        model = Capture()
        session = Session(f"sqlite:///{path}", model=model, knowledge_base=str(kb), cache_dir=str(work / "cache"),
                          column_samples=samples)
        for (question, _), without in zip(questions(db, limit), ours):
            session.ask(question, run=False)
            sampled.append(count_message_tokens(model.calls[-1]))
            increase.append(sampled[-1] - without)
        session.close()
    return {"db": db, "sampled": statistics.median(sampled) if sampled else None,
            "increase": statistics.median(increase) if increase else None,
            "tables": len(tables), "questions": len(ours), "ours": statistics.median(ours),
            "ours_fresh": statistics.median(ours_fresh[1:] or ours_fresh),
            "plain_fresh": statistics.median(plain_fresh[1:] or plain_fresh),
            "plain": statistics.median(plain), "described": statistics.median(described), "max_ours": max(ours),
            "covered": covered,
            "with_values": matched, "values": index.size, "build_ms": build_seconds * 1000,
            "match_ms": statistics.median(match_seconds) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=20, help="questions per database (default 20)")
    parser.add_argument("--db", action="append", help="only these databases (repeatable)")
    parser.add_argument("--column-samples", type=int, default=0, help="also measure with this column_samples")
    args = parser.parse_args()
    if not DEFOG.is_dir():
        sys.exit(f"the defog-dev benchmark is not at {DEFOG}")
    names = args.db or sorted(p.name for p in (DEFOG / "databases").iterdir() if p.is_dir())
    print(f"{'database':<12}{'tables':>7}{'questions':>10}{'ours':>8}{'plain':>8}{'full':>8}{'ours max':>9}"
          f"{'ours new':>9}{'plain new':>10}{'gold shown':>11}{'w/ values':>10}{'values':>8}{'index ms':>10}"
          f"{'match ms':>10}"
          + (f"{'w/ samples':>11}{'+tokens':>8}" if args.column_samples else ""))
    with tempfile.TemporaryDirectory() as tmp:
        for db in names:
            r = measure(db, args.questions, Path(tmp), args.column_samples)
            flag = "" if r["ours"] <= r["plain"] else "  (over plain)"
            print(f"{r['db']:<12}{r['tables']:>7}{r['questions']:>10}{r['ours']:>8.0f}{r['plain']:>8.0f}"
                  f"{r['described']:>8.0f}"
                  f"{r['max_ours']:>9}{r['ours_fresh']:>9.0f}{r['plain_fresh']:>10.0f}{r['covered']:>11}{r['with_values']:>10}{r['values']:>8}{r['build_ms']:>10.1f}"
                  f"{r['match_ms']:>10.2f}"
                  + (f"{r['sampled']:>11.0f}{r['increase']:>8.0f}" if args.column_samples else "") + flag)


if __name__ == "__main__":
    main()
