"""Every gold query this checkout holds, with its dialect: what the firewall's function lists must allow.

Sources: the defog-dev benchmark (``bench/data/defog-dev``, both dialects), the small defog and
Spider fixtures (``tests/fixtures/accuracy``), the firewall's accepted statements, the policy
fixtures, and the SQL examples of the demo and test knowledge bases.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from tests.defog import expand, gold_queries, split_statements
from tests.helpers import FIXTURES, load_cases

ROOT = Path(__file__).resolve().parents[1]
_ACCEPTED_FIXTURES = ("firewall/accept.sql", "policy/rewrite.sql", "policy/shapes.sql", "policy/reject.sql")
_EXAMPLE_FOLDERS = (ROOT / "knowledge_base" / "examples", FIXTURES / "kb" / "shop" / "examples")


@dataclass(frozen=True)
class GoldSQL:
    source: str
    dialect: str
    sql: str


def all_gold_sql() -> list[GoldSQL]:
    """Every gold statement, expanded; fails loudly when a source is missing."""
    out: list[GoldSQL] = []
    for dialect in ("sqlite", "postgres"):
        out.extend(GoldSQL(f"defog-dev:{g.id}", dialect, g.sql) for g in gold_queries(dialect))
        out.extend(_csv_golds(FIXTURES / "accuracy" / "defog" / f"questions_{dialect}.csv", dialect))
    spider = json.loads((FIXTURES / "accuracy" / "spider" / "dev.json").read_text(encoding="utf-8"))
    out.extend(GoldSQL(f"spider:{n}", "sqlite", item["query"]) for n, item in enumerate(spider, start=1))
    for fixture in _ACCEPTED_FIXTURES:
        for case in load_cases(fixture):
            default = "sqlite" if fixture.startswith("firewall") else "sqlite, postgres"
            out.extend(GoldSQL(case.where, d, case.input) for d in case.option_list("dialect", default))
    for folder in _EXAMPLE_FOLDERS:
        files = sorted(folder.rglob("*.sql"))
        if not files:
            raise FileNotFoundError(f"no SQL examples under {folder}")
        out.extend(GoldSQL(str(f.relative_to(ROOT)), "sqlite", f.read_text(encoding="utf-8")) for f in files)
    return out


def _csv_golds(path: Path, dialect: str) -> list[GoldSQL]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [GoldSQL(f"{path.relative_to(ROOT)}:{n}", dialect, variant)
                for n, record in enumerate(csv.DictReader(handle), start=1)
                for statement in split_statements(record["query"]) for variant in expand(statement)]


def rewrite_fixture_sql() -> list[GoldSQL]:
    """The statements of the rewrite rules' fixtures (model SQL before and after mending), with their dialect.

    Their expected outputs include the word ``unchanged`` and a few deliberate non-queries: callers keep
    what concerns them.
    """
    out = []
    for path in sorted((FIXTURES / "rewrite").glob("*.sql")):
        if path.name == "schemas.sql":  # DDL the cases run against
            continue
        for case in load_cases(path):
            for dialect in case.option_list("dialect", "sqlite"):
                out.extend(GoldSQL(case.where, dialect, sql) for sql in (case.input, case.expected or "") if sql)
    return out
