"""Datasets of questions with gold SQL, in the two public layouts.

- defog (sql-eval): ``questions_{postgres,sqlite}.csv`` (columns ``db_name``, ``query_category``,
  ``question``, ``query``, ``instructions``) and ``databases/<db>/{postgres.sql, sqlite.sql,
  metadata.json}``; a question's id is ``<db>:<row>`` (the 1-based data row of the CSV);
- Spider: ``dev.json`` (objects with ``db_id``, ``question``, ``query``; ``difficulty`` or
  ``hardness`` when present becomes the category), ``database/<db>/<db>.sqlite`` and, optionally,
  ``tables.json`` (column names in words, used as column descriptions); SQLite only; a question's
  id is ``<db>:<n>`` (its 1-based position in ``dev.json``).
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .gold import variants

DIALECTS = ("sqlite", "postgres")
DEFOG_FILES = {"sqlite": "questions_sqlite.csv", "postgres": "questions_postgres.csv"}


class BenchError(Exception):
    """A bad option, a missing or malformed file: one sentence saying what and where."""


@dataclass(frozen=True)
class Question:
    id: str
    db: str
    category: str
    question: str
    gold: str  # the gold cell as written (several queries, ``{a, b}`` groups)
    instructions: str = ""
    layout: str = "defog"

    @property
    def text(self) -> str:
        """What is asked: the question, then its instructions (as sql-eval puts them in the prompt)."""
        return f"{self.question}\n{self.instructions}" if self.instructions else self.question

    @property
    def gold_queries(self) -> list[str]:
        return variants(self.gold) if self.layout == "defog" else [self.gold.strip().rstrip(";").strip()]


@dataclass(frozen=True)
class DatabaseFiles:
    name: str
    folder: Path
    sqlite_script: Path | None = None  # defog: built into a cache
    sqlite_file: Path | None = None  # Spider: used as it is
    postgres_script: Path | None = None
    metadata: dict | None = None  # {"table_metadata": {table: [{column_name, data_type, column_description}]}}


@dataclass
class Dataset:
    layout: str
    root: Path
    questions: dict[str, list[Question]] = field(default_factory=dict)  # by dialect
    databases: dict[str, DatabaseFiles] = field(default_factory=dict)

    def database(self, name: str, dialect: str) -> DatabaseFiles:
        """The files of database ``name``, checked for ``dialect``."""
        files = self.databases[name]
        needed = {"sqlite": files.sqlite_script or files.sqlite_file, "postgres": files.postgres_script}[dialect]
        if needed is None or not Path(needed).is_file():
            expected = {"sqlite": files.folder / ("sqlite.sql" if self.layout == "defog" else f"{name}.sqlite"),
                        "postgres": files.folder / "postgres.sql"}[dialect]
            raise BenchError(f"the database {name!r} has no {dialect} version: expected {expected}")
        return files


def load_dataset(root: Path, dialects: tuple[str, ...]) -> Dataset:
    """The questions of ``dialects`` and the databases they use, from a defog or Spider folder."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise BenchError(f"the dataset folder {root} does not exist")
    if any((root / name).is_file() for name in DEFOG_FILES.values()):
        return _load_defog(root, dialects)
    if (root / "dev.json").is_file():
        return _load_spider(root, dialects)
    raise BenchError(f"{root} holds neither questions_sqlite.csv / questions_postgres.csv (defog layout) "
                     "nor dev.json (Spider layout)")


def _load_defog(root: Path, dialects: tuple[str, ...]) -> Dataset:
    dataset = Dataset("defog", root)
    for dialect in dialects:
        path = root / DEFOG_FILES[dialect]
        if not path.is_file():
            raise BenchError(f"the dataset has no {DEFOG_FILES[dialect]} for --dialect {dialect}: expected {path}")
        dataset.questions[dialect] = _read_csv(path)
    for name in sorted({q.db for questions in dataset.questions.values() for q in questions}):
        folder = root / "databases" / name
        dataset.databases[name] = DatabaseFiles(
            name, folder, sqlite_script=folder / "sqlite.sql", postgres_script=folder / "postgres.sql",
            metadata=_read_metadata(folder / "metadata.json"))
    return dataset


def _read_csv(path: Path) -> list[Question]:
    questions = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("db_name", "question", "query") if c not in (reader.fieldnames or [])]
            if missing:
                raise BenchError(f"{path} has no column {', '.join(missing)} (expected db_name, query_category, "
                                 "question, query, instructions)")
            for row, record in enumerate(reader, start=1):
                if None in record or None in record.values():
                    raise BenchError(f"{path} line {reader.line_num}: the row does not have the "
                                     f"{len(reader.fieldnames or [])} fields of the header")
                db, text, gold = (record[c].strip() for c in ("db_name", "question", "query"))
                if not (db and text and gold):
                    raise BenchError(f"{path} line {reader.line_num}: db_name, question and query must not be empty")
                questions.append(Question(f"{db}:{row}", db, (record.get("query_category") or "").strip() or "all",
                                          text, gold, (record.get("instructions") or "").strip()))
    except (csv.Error, UnicodeDecodeError) as exc:
        raise BenchError(f"{path} is not a readable CSV file: {exc}") from None
    return questions


def _read_metadata(path: Path) -> dict | None:
    if not path.is_file():
        return None
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("table_metadata"), dict):
        raise BenchError(f"{path} has no 'table_metadata' object")
    return data


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BenchError(f"{path} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BenchError(f"cannot read {path}: {exc}") from None


def _load_spider(root: Path, dialects: tuple[str, ...]) -> Dataset:
    if dialects != ("sqlite",):
        raise BenchError("the Spider layout has SQLite databases only: use --dialect sqlite")
    records = _read_json(root / "dev.json")
    if not isinstance(records, list):
        raise BenchError(f"{root / 'dev.json'} must be a JSON list of questions")
    questions = []
    for n, record in enumerate(records, start=1):
        if not isinstance(record, dict) or not all(isinstance(record.get(k), str) and record[k].strip()
                                                   for k in ("db_id", "question", "query")):
            raise BenchError(f"{root / 'dev.json'} entry {n} needs the strings 'db_id', 'question' and 'query'")
        category = str(record.get("difficulty") or record.get("hardness") or "all")
        questions.append(Question(f"{record['db_id']}:{n}", record["db_id"], category, record["question"].strip(),
                                  record["query"], layout="spider"))
    dataset = Dataset("spider", root, {"sqlite": questions})
    tables = _spider_tables(root / "tables.json")
    for name in sorted({q.db for q in questions}):
        folder = root / "database" / name
        dataset.databases[name] = DatabaseFiles(name, folder, sqlite_file=folder / f"{name}.sqlite",
                                                metadata=tables.get(name))
    return dataset


def _spider_tables(path: Path) -> dict[str, dict]:
    """``tables.json`` as metadata: each column described by its name in words."""
    if not path.is_file():
        return {}
    entries = _read_json(path)
    if not isinstance(entries, list):
        raise BenchError(f"{path} must be a JSON list of databases")
    out: dict[str, dict] = {}
    for n, entry in enumerate(entries, start=1):
        try:
            tables = entry["table_names_original"]
            metadata: dict[str, list] = {table: [] for table in tables}
            types = entry.get("column_types") or []
            for i, ((table, column), (_, words)) in enumerate(zip(entry["column_names_original"],
                                                                  entry["column_names"])):
                if table >= 0:
                    metadata[tables[table]].append({"column_name": column, "column_description": words,
                                                    "data_type": types[i] if i < len(types) else ""})
            out[entry["db_id"]] = {"table_metadata": metadata}
        except (KeyError, TypeError, IndexError, ValueError):
            raise BenchError(f"{path} entry {n} is not a Spider table description (db_id, table_names_original, "
                             "column_names_original, column_names)") from None
    return out


def select(questions: list[Question], *, dbs: list[str] | None = None, limit: int | None = None,
           sample: int | None = None, seed: int = 0, known: list[str] | None = None) -> list[Question]:
    """The questions of ``dbs`` (all when None); the first ``limit``, or ``sample`` stratified by category."""
    if dbs:
        names = known if known is not None else sorted({q.db for q in questions})
        unknown = [d for d in dbs if d not in names]
        if unknown:
            raise BenchError(f"unknown database {unknown[0]!r}: the dataset has {', '.join(names)}")
        questions = [q for q in questions if q.db in dbs]
    if limit is not None:
        return questions[:limit]
    if sample is not None and sample < len(questions):
        return stratified_sample(questions, sample, seed)
    return questions


def stratified_sample(questions: list[Question], n: int, seed: int) -> list[Question]:
    """``n`` questions, each category getting its share (largest remainders first), in dataset order."""
    by_category: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_category[q.category].append(q)
    total = len(questions)
    shares = {c: n * len(qs) / total for c, qs in by_category.items()}
    counts = {c: int(s) for c, s in shares.items()}
    for c in sorted(shares, key=lambda c: (-(shares[c] - counts[c]), c))[:n - sum(counts.values())]:
        counts[c] += 1
    rng = random.Random(seed)
    chosen = {q.id for c in sorted(by_category) for q in rng.sample(by_category[c], counts[c])}
    return [q for q in questions if q.id in chosen]
