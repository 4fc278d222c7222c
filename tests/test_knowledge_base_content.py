"""The demo knowledge base: every file follows the format and agrees with the demo database.

The files are parsed here with simple code of their own, so this test pins the file format
independently of the real parser in ``vanna_magic.core.knowledge.files``.
"""

import re
import sqlite3
from pathlib import Path

import pytest
import sqlglot
import yaml
from sqlglot import exp

from vanna_magic.core.data.demo import demo_database

KB = Path(__file__).resolve().parents[1] / "knowledge_base"
EXAMPLES = sorted((KB / "examples").glob("*.sql"))
DOCS = sorted((KB / "docs").glob("*.md"))
SEMANTIC = yaml.safe_load((KB / "semantic.yaml").read_text(encoding="utf-8"))

HEADER = re.compile(r"^--\s*(Question|Description):\s*(\S.*)$")
REVENUE_LINE = "quantity * oi.unit_price * (1 - oi.discount)"
REVENUE_FILTER = "status NOT IN ('cancelled', 'returned')"
QUICKSTART_QUESTION = "Which 5 customers spent the most in 2024?"
ALL_TABLES_JOINED = """
FROM orders
JOIN order_items ON order_items.order_id = orders.order_id
JOIN products ON products.product_id = order_items.product_id
JOIN suppliers ON suppliers.supplier_id = products.supplier_id
JOIN customers ON customers.customer_id = orders.customer_id
JOIN regions ON regions.region_id = customers.region_id
"""


def parse_example(path):
    """Split an example file into its headers (Question, Description) and its SQL."""
    lines = path.read_text(encoding="utf-8").splitlines()
    headers = {}
    while lines and lines[0].startswith("--"):
        match = HEADER.match(lines.pop(0))
        assert match, f"{path.name}: header lines must be '-- Question: ...' or '-- Description: ...'"
        assert match[1] not in headers, f"{path.name}: {match[1]} given twice"
        headers[match[1]] = match[2].strip()
    return headers, "\n".join(lines).strip()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = demo_database(tmp_path_factory.mktemp("demo"))
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def columns(db):
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%'")]
    return {table: [row[1] for row in db.execute(f"PRAGMA table_info({table})")] for table in tables}


def test_the_examples_cover_the_demo():
    assert 25 <= len(EXAMPLES) <= 45
    questions = [parse_example(path)[0]["Question"] for path in EXAMPLES]
    assert len({q.casefold() for q in questions}) == len(questions), "questions are unique"
    # The quickstart asks this one; the model must answer it, not the knowledge base.
    assert QUICKSTART_QUESTION.casefold() not in {q.casefold() for q in questions}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_has_headers_and_one_query(path):
    assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*\.sql", path.name)
    headers, sql = parse_example(path)
    assert headers.get("Question", "").endswith("?")
    assert "Description" not in headers or len(headers["Description"]) > 10
    assert "-- Question:" not in sql and "-- Description:" not in sql, "headers come first"
    statements = [s for s in sqlglot.parse(sql, read="sqlite") if s is not None]
    assert len(statements) == 1
    assert isinstance(statements[0], exp.Query), "a single SELECT or WITH statement"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_on_the_demo_database(path, db):
    _, sql = parse_example(path)
    assert db.execute(sql).fetchall(), "returns at least one row"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_uses_the_revenue_definition(path):
    sql = " ".join(parse_example(path)[1].split())
    if REVENUE_LINE in sql:
        assert REVENUE_FILTER in sql, "revenue excludes cancelled and returned orders"


def test_semantic_yaml_has_the_four_sections():
    assert set(SEMANTIC) == {"metrics", "dimensions", "glossary", "relationships"}
    names = [m["name"] for m in SEMANTIC["metrics"]]
    assert {"revenue", "order count", "average order value", "units sold",
            "discount rate", "cancellation rate", "return rate"} <= set(names)
    assert not [n for n in names if "margin" in n or "profit" in n], "there is no cost column"
    revenue = next(m for m in SEMANTIC["metrics"] if m["name"] == "revenue")
    assert " ".join(revenue["filter"].split()) == f"orders.{REVENUE_FILTER}"
    assert len(SEMANTIC["glossary"]) >= 6
    assert all(g["term"].strip() and g["definition"].strip() for g in SEMANTIC["glossary"])


def referenced_columns(sql):
    return {(c.table, c.name) for c in sqlglot.parse_one(sql, read="sqlite").find_all(exp.Column)}


@pytest.mark.parametrize("metric", SEMANTIC["metrics"], ids=[m["name"] for m in SEMANTIC["metrics"]])
def test_metric_runs_on_the_demo_database(metric, db, columns):
    assert metric["description"].strip() and set(metric["tables"]) <= set(columns)
    where = f" WHERE {metric['filter']}" if metric.get("filter") else ""
    sql = (f"SELECT {metric['sql']} AS value FROM orders "
           f"JOIN order_items ON order_items.order_id = orders.order_id{where}")
    for table, column in referenced_columns(sql):
        assert column in columns.get(table, []), f"{table}.{column} is not a column"
    value = db.execute(sql).fetchone()[0]
    assert value is not None and value > 0


@pytest.mark.parametrize("dimension", SEMANTIC["dimensions"], ids=[d["name"] for d in SEMANTIC["dimensions"]])
def test_dimension_runs_on_the_demo_database(dimension, db, columns):
    assert dimension["description"].strip() and set(dimension["tables"]) <= set(columns)
    sql = f"SELECT {dimension['sql']} AS value {ALL_TABLES_JOINED} GROUP BY 1"
    for table, column in referenced_columns(sql):
        assert column in columns.get(table, []), f"{table}.{column} is not a column"
    values = [row[0] for row in db.execute(sql)]
    assert len(values) > 1 and None not in values


def test_relationships_are_exactly_the_foreign_keys(db, columns):
    declared = set()
    for rel in SEMANTIC["relationships"]:
        assert rel["description"].strip()
        (from_table, from_column), (to_table, to_column) = (side.split(".") for side in (rel["from"], rel["to"]))
        assert from_column in columns[from_table] and to_column in columns[to_table]
        declared.add((from_table, from_column, to_table, to_column))
    actual = {(table, row[3], row[2], row[4])
              for table in columns for row in db.execute(f"PRAGMA foreign_key_list({table})")}
    assert declared == actual


@pytest.mark.parametrize("path", DOCS, ids=[p.stem for p in DOCS])
def test_doc_names_a_real_table_and_its_columns(path, columns):
    text = path.read_text(encoding="utf-8")
    heading = re.match(r"# (\w+)\n", text)
    assert heading and heading[1] in columns and path.stem == heading[1]
    missing = [c for c in columns[heading[1]] if f"`{c}`" not in text]
    assert not missing, f"columns not documented: {missing}"


def test_every_table_has_a_doc(columns):
    assert {p.stem for p in DOCS} == set(columns)


def test_readme_explains_the_three_kinds_of_files():
    text = (KB / "README.md").read_text(encoding="utf-8")
    for needle in ("examples/*.sql", "-- Question:", "-- Description:", "semantic.yaml", "docs/<table>.md",
                   "metrics", "dimensions", "glossary", "relationships"):
        assert needle in text
