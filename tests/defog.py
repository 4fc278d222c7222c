"""The defog-dev benchmark beside this checkout: gold queries expanded as its README describes
(:mod:`bench.accuracy.gold`, the accuracy benchmark's own expansion).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from bench.accuracy.gold import expand, split_statements

DEFOG = Path(__file__).resolve().parents[1] / "bench" / "data" / "defog-dev"
DIALECT_FILES = {"postgres": "questions_postgres.csv", "sqlite": "questions_sqlite.csv"}
__all__ = ["DEFOG", "Gold", "database_script", "expand", "gold_queries", "split_statements"]


@dataclass(frozen=True)
class Gold:
    db: str
    row: int  # 1-based row of the CSV (after the header)
    sql: str

    @property
    def id(self) -> str:
        return f"{self.db}:{self.row}"


def gold_queries(dialect: str) -> list[Gold]:
    """Every gold query of the benchmark for ``dialect``, expanded; fails loudly when the data is missing."""
    path = DEFOG / DIALECT_FILES[dialect]
    if not path.is_file():
        raise FileNotFoundError(f"the defog-dev benchmark is missing: expected {path} (bench/data/defog-dev)")
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, record in enumerate(csv.DictReader(handle), start=1):
            for statement in split_statements(record["query"]):
                out.extend(Gold(record["db_name"], number, variant) for variant in expand(statement))
    return out


def database_script(db: str, dialect: str) -> str:
    return (DEFOG / "databases" / db / f"{dialect}.sql").read_text(encoding="utf-8")
