"""The defog-dev benchmark beside this checkout: gold queries expanded as its README describes.

A gold cell may hold several acceptable queries separated by ``;``, and ``{a, b}`` in a
SELECT list means "either column set"; ``{}`` (e.g. in ``GROUP BY {}``) repeats the choice.
"""

from __future__ import annotations

import csv
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

DEFOG = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "defog-dev"
DIALECT_FILES = {"postgres": "questions_postgres.csv", "sqlite": "questions_sqlite.csv"}
_GROUP = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Gold:
    db: str
    row: int  # 1-based row of the CSV (after the header)
    sql: str

    @property
    def id(self) -> str:
        return f"{self.db}:{self.row}"


def split_statements(cell: str) -> list[str]:
    """Split on ``;`` outside quotes and comments."""
    parts, current, quote, i = [], [], None, 0
    while i < len(cell):
        char = cell[i]
        if quote:
            current.append(char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            current.append(char)
        elif cell.startswith("--", i):
            end = cell.find("\n", i)
            end = len(cell) if end < 0 else end
            current.append(cell[i:end])
            i = end
            continue
        elif char == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def expand(sql: str) -> list[str]:
    """Every variant of ``{a, b}`` groups: each option alone and all of them; ``{}`` repeats the choice."""
    groups = [g for g in _GROUP.findall(sql) if g.strip()]
    if not groups:
        return [sql]
    choices = []
    for group in groups:
        options = [o.strip() for o in group.split(",") if o.strip()]
        choices.append(list(dict.fromkeys(options + [", ".join(options)])))
    return [_fill(sql, combo) for combo in itertools.product(*choices)]


def _fill(sql: str, combo: tuple[str, ...]) -> str:
    picks = iter(combo)
    last: list[str] = []

    def fill(match: "re.Match[str]") -> str:
        if match.group(1).strip():
            last[:] = [next(picks)]
        return last[0] if last else ""

    return _GROUP.sub(fill, sql)


def gold_queries(dialect: str) -> list[Gold]:
    """Every gold query of the benchmark for ``dialect``, expanded; fails loudly when the data is missing."""
    path = DEFOG / DIALECT_FILES[dialect]
    if not path.is_file():
        raise FileNotFoundError(f"the defog-dev benchmark is missing: expected {path} (../shared/benchmarks/"
                                "defog-dev beside the repository)")
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, record in enumerate(csv.DictReader(handle), start=1):
            for statement in split_statements(record["query"]):
                out.extend(Gold(record["db_name"], number, variant) for variant in expand(statement))
    return out


def database_script(db: str, dialect: str) -> str:
    return (DEFOG / "databases" / db / f"{dialect}.sql").read_text(encoding="utf-8")
