"""The three ways a question is answered, same model, same run.

- ``baseline``: the plain prompt most tools use, the DDL of every table and the question, one
  model call, no retrieval, no repair; the SQL is extracted and run through the same firewall
  and executor as ours, so rejections count alike;
- ``zero_shot``: ``Session.ask`` (the code ``%%ask`` runs) with a knowledge base holding only
  the database's column descriptions (``metadata.json`` / ``tables.json``, written by the
  product's metadata importer) and no examples;
- ``knowledge``: the same, plus, leave-one-out, every other question of the database with its
  gold SQL (first variant) as an example. The examples are files of one knowledge base; the
  question's own file is moved out while it is asked, so the index only drops and re-adds one
  vector per question (the index is incremental), and nothing of the question leaks into its prompt.

In warehouse mode (``schema``: the database's schema in a warehouse connection) the docs are named
``<schema>.<table>`` and the examples' SQL names its tables with the schema (:mod:`.warehouse`).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from vanna_magic.core.errors import FirewallError, VannaError
from vanna_magic.core.evaluate.scorer import one_line

from .datasets import DatabaseFiles, Question

if TYPE_CHECKING:
    import pandas as pd

    from vanna_magic import Session
    from vanna_magic.core.data.schema import Table
    from vanna_magic.core.generate.model import LanguageModel

CONDITIONS = ("baseline", "zero_shot", "knowledge")


@dataclass
class Outcome:
    """What a condition made of a question: the SQL and its rows, or why there are none."""

    sql: str | None = None
    frame: "pd.DataFrame | None" = None
    failure: str | None = None  # "rejected" (by the firewall) or "error" (anything else)
    reason: str = ""
    prompt_tokens: int = 0
    repairs: int = 0
    replayed: bool = False
    confidence: str = ""  # high | medium | low, for an answer that ran ("" otherwise)
    reasons: tuple[str, ...] = ()
    rewrites: tuple[str, ...] = ()  # the rewrite rules that changed the SQL, over every attempt (one per change)
    notes: tuple[str, ...] = ()


def failure(exc: BaseException) -> tuple[str, str]:
    """``("rejected" | "error", reason)`` for an exception that ended a question."""
    if isinstance(exc, FirewallError):
        return "rejected", f"firewall {getattr(exc, 'rule', '')}: {one_line(exc)}"
    if isinstance(exc, VannaError):
        return "error", f"{exc.stage}: {one_line(exc)}"
    return "error", f"crash: {type(exc).__name__}: {one_line(exc)}"


def baseline_messages(question: str, dialect: str, tables: "list[Table]") -> list[dict]:
    from vanna_magic.core.data.dialects import title as dialect_name
    from vanna_magic.core.data.schema import render_ddl

    name = dialect_name(dialect)
    return [
        {"role": "system", "content": f"You are a SQL expert. Given the database schema, write one {name} SQL "
                                      "query that answers the question. Answer with the SQL in a ```sql block."},
        {"role": "user", "content": f"### Schema\n{render_ddl(tables, dialect)}\n\n### Question\n{question}"},
    ]


class Baseline:
    def __init__(self, session: "Session"):
        self.session = session

    def ask(self, question: Question) -> Outcome:
        from vanna_magic.core.generate.extract import extract_sql

        session = self.session
        outcome = Outcome()
        try:
            db = session.database()
            messages = baseline_messages(question.text, db.dialect, session.catalog().tables())
            model = session.model
            assert model is not None
            completion = model.complete(messages)
            outcome.prompt_tokens, outcome.replayed = completion.prompt_tokens, completion.replayed
            outcome.sql = extract_sql(completion.text, db.dialect)
            executed = session.firewall(db.dialect, session.settings.max_rows).enforce(outcome.sql)
            outcome.frame = db.execute(executed, timeout=session.settings.query_timeout).frame
        except Exception as exc:  # every failure is an outcome, never a lost question
            outcome.failure, outcome.reason = failure(exc)
        return outcome

    def close(self) -> None:
        self.session.close()


class Ours:
    """``Session.ask``; with ``held_out`` (question id -> example file), leave-one-out."""

    def __init__(self, session: "Session", held_out: dict[str, Path] | None = None):
        self.session = session
        self.held_out = held_out or {}

    def ask(self, question: Question) -> Outcome:
        session = self.session
        session.health.reset()  # each question starts with closed breakers: one failure must not sink the next
        example = self.held_out.get(question.id)
        aside = _aside(example) if example is not None else None
        if example is not None and aside is not None:
            aside.parent.mkdir(parents=True, exist_ok=True)
            example.replace(aside)
        outcome = Outcome()
        try:
            answer = session.ask(question.text)
        except Exception as exc:  # every failure is an outcome, never a lost question
            outcome.failure, outcome.reason = failure(exc)
            answer = getattr(exc, "answer", None)
        finally:
            if example is not None and aside is not None:
                aside.replace(example)
        if answer is not None:
            outcome.sql = answer.sql
            outcome.frame = answer.frame if outcome.failure is None else None
            outcome.prompt_tokens, outcome.repairs, outcome.replayed = (answer.prompt_tokens, answer.repairs,
                                                                        answer.replayed)
            outcome.rewrites = tuple(rule for attempt in answer.attempts for rule in attempt.rules)
            outcome.notes = tuple(answer.notes)
            if answer.confidence is not None and outcome.failure is None:
                outcome.confidence, outcome.reasons = answer.confidence.level, answer.confidence.reasons
        return outcome

    def close(self) -> None:
        self.session.close()


def _aside(example: Path) -> Path:
    return example.parent.parent.with_name(example.parent.parent.name + ".held-out") / example.name


def open_condition(name: str, *, url: str, dialect: str, files: DatabaseFiles, questions: list[Question],
                   work: Path, model: "LanguageModel", timeout: float, max_rows: int | None,
                   settings: dict[str, str] | None = None, schema: str | None = None) -> "Baseline | Ours":
    """A condition ready to answer questions of one database (``questions``: all of that database).

    ``settings``: product settings by name (``{"example_budget": "150"}``), validated as the product does;
    ``schema``: the database's schema when ``url`` is a warehouse (knowledge is scoped to it).
    """
    kb = work / "kb" / name / dialect / _safe(files.name)
    if name == "baseline" and kb.exists():
        shutil.rmtree(kb)  # the baseline reads no knowledge base: keep its folder empty
    kb.mkdir(parents=True, exist_ok=True)
    session = make_session(url, kb, work, model, timeout=timeout, max_rows=max_rows, settings=settings)
    if name == "baseline":
        return Baseline(session)
    write_docs(kb, files, work, schema=schema)
    if name == "zero_shot":
        return Ours(session)
    return Ours(session, write_examples(kb, questions, schema=schema))


def make_session(url: str, kb: Path, work: Path, model: "LanguageModel", *, timeout: float,
                 max_rows: int | None, settings: dict[str, str] | None = None) -> "Session":
    from vanna_magic import Session

    nobody = work / "no-user-knowledge-base"  # so that no personal knowledge base joins the run
    nobody.mkdir(parents=True, exist_ok=True)
    settings = product_settings(settings).replace(
        connection=url, knowledge_base=str(kb), user_knowledge_base=str(nobody), cache_dir=str(work / "cache"),
        store_path=str(work / "history.sqlite3"), query_timeout=timeout,
        rate_limit=1_000_000_000)  # the provider's limits apply; the per-user limit is for people
    if max_rows is not None:
        settings = settings.replace(max_rows=max_rows)
    return Session(settings=settings, model=model)


def product_settings(overrides: dict[str, str] | None = None):
    """The product's default settings with ``overrides`` (name -> text), read and checked as the product does.

    Raises:
        ConfigurationError: an unknown name or a bad value, in the product's words.
    """
    from vanna_magic.core.config import ENV_PREFIX, Settings, load_settings
    from vanna_magic.core.errors import ConfigurationError

    overrides = overrides or {}
    known = {f.name for f in fields(Settings)}
    for name in overrides:
        if name not in known:
            raise ConfigurationError(f"unknown setting {name!r} in --set", setting=name)
    return load_settings(environ={f"{ENV_PREFIX}{k.upper()}": v for k, v in overrides.items()}, start=None)


def write_docs(kb: Path, files: DatabaseFiles, work: Path, *, schema: str | None = None) -> None:
    """The database's column descriptions as ``docs/<table>.md``, through the product's metadata importer;
    with ``schema``, ``docs/<schema>.<table>.md`` (a doc of that schema's table alone)."""
    from vanna_magic.core.knowledge.importers.metadata import import_metadata

    if not files.metadata:
        return
    metadata = files.metadata
    tables = metadata.get("table_metadata") if isinstance(metadata, dict) else None
    if schema and isinstance(tables, dict):
        metadata = {**metadata, "table_metadata": {f"{schema}.{t}": columns for t, columns in tables.items()}}
    source = work / "metadata" / f"{_safe(files.name)}{'-' + _safe(schema) if schema else ''}.json"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    import_metadata(source, kb, force=True)


def write_examples(kb: Path, questions: list[Question], *, schema: str | None = None) -> dict[str, Path]:
    """One example file per question (question, first gold variant); unchanged files are left untouched.

    With ``schema``, the SQL names its tables with it, as a team's examples for a warehouse do.
    """
    from .warehouse import qualify

    folder = kb / "examples"
    folder.mkdir(parents=True, exist_ok=True)
    aside = kb.with_name(kb.name + ".held-out")
    if aside.is_dir():  # a run stopped while a question was held out: put its example back
        for stray in aside.iterdir():
            stray.replace(folder / stray.name)
    paths: dict[str, Path] = {}
    for question in questions:
        path = folder / f"{_safe(question.id)}.sql"
        sql = qualify(question.gold_queries[0], schema) if schema else question.gold_queries[0]
        text = f"-- Question: {' '.join(question.question.split())}\n{sql};\n"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths[question.id] = path
    for stale in folder.glob("*.sql"):
        if stale not in paths.values():
            stale.unlink()
    return paths


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)

