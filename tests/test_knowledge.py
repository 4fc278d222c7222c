"""Loading the knowledge base from files: examples, semantic YAML, docs, problems and the content hash."""

import os
import re
import shutil
from pathlib import Path

import pytest

from vanna_magic.core.errors import KnowledgeBaseError
from vanna_magic.core.knowledge.base import Definition, question_key
from vanna_magic.core.knowledge.files import load_knowledge_base

FIXTURES = Path(__file__).parent / "fixtures" / "kb"
SHOP = FIXTURES / "shop"
BROKEN = FIXTURES / "broken"
DEMO = Path(__file__).parent.parent / "knowledge_base"

# Each malformed fixture file declares the problems it must cause: "Expect: <line> <part of the message>".
_EXPECT = re.compile(r"(?:--|#)\s*Expect:\s*(\d+)\s+(.+?)\s*$", re.MULTILINE)


def expected_problems(root: Path) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(root).parts):
            for line, fragment in _EXPECT.findall(path.read_bytes().decode("latin-1")):
                found.append((path.relative_to(root).as_posix(), int(line), fragment))
    return found


def test_each_malformed_file_is_a_problem_with_its_path_and_line():
    kb = load_knowledge_base([BROKEN])
    expected = expected_problems(BROKEN)
    assert len(expected) >= 15
    got = [(Path(p.path).relative_to(BROKEN).as_posix(), p.line, p.message) for p in kb.problems]
    for problem in kb.problems:
        assert isinstance(problem, KnowledgeBaseError)
    unmatched = list(got)
    for path, line, fragment in expected:
        match = [g for g in unmatched if g[0] == path and g[1] == line and fragment in g[2]]
        assert match, f"no problem {fragment!r} at {path}:{line}; got {got}"
        unmatched.remove(match[0])
    assert not unmatched, f"unexpected problems: {unmatched}"


def test_the_well_formed_parts_of_a_broken_knowledge_base_still_load():
    kb = load_knowledge_base([BROKEN])
    assert [e.question for e in kb.examples] == ["How many orders are there?"]  # the checkpoint copy is hidden
    assert {(d.kind, d.name) for d in kb.definitions} == {
        ("metric", "revenue"), ("glossary", "basket"),
        ("relationship", "orders.customer_id -> customers.customer_id")}
    revenue = next(d for d in kb.definitions if d.name == "revenue")
    assert revenue.tables == ("order_items",)  # a single table may be written without a list
    assert [d.title for d in kb.documents] == ["Orders"]


def test_messages_say_where_and_how_to_fix():
    kb = load_knowledge_base([BROKEN])
    header = next(p for p in kb.problems if "Question" in p.message)
    assert str(header).startswith(f"{BROKEN / 'examples' / 'no_header.sql'}:1: missing")
    assert header.hint and "-- Question:" in header.hint
    assert header.stage == "knowledge"


def test_a_missing_root_is_one_problem_and_the_other_roots_load(tmp_path):
    missing = tmp_path / "no-such-kb"
    kb = load_knowledge_base([missing, SHOP])
    assert len(kb.problems) == 1
    assert kb.problems[0].path == str(missing) and "does not exist" in kb.problems[0].message
    assert len(kb.examples) == 6


def test_examples_are_read_with_their_headers_and_sql():
    kb = load_knowledge_base([SHOP])
    assert kb.problems == []
    by_file = {Path(e.path).name: e for e in kb.examples}
    assert set(by_file) == {"top_customers.sql", "orders_per_month.sql", "revenue_by_region.sql",
                            "products_never_ordered.sql", "suppliers_by_country.sql", "least_customers.sql"}
    top = by_file["top_customers.sql"]
    assert top.question == "Which 5 customers spent the most in 2024?"
    assert top.description == "Top customers by revenue over one calendar year."
    assert top.sql.startswith("SELECT c.name") and top.sql.endswith("LIMIT 5")  # no trailing ';'
    assert top.line == 4  # where the SQL starts, after three header lines
    assert by_file["orders_per_month.sql"].description is None
    assert by_file["revenue_by_region.sql"].sql.startswith("WITH lines AS")  # from a subfolder


DEFINITIONS = [
    ("metric", "revenue",
     "metric revenue = SUM(order_items.quantity * order_items.unit_price) WHERE orders.status NOT IN "
     "('cancelled', 'returned') -- Money received for goods, excluding cancelled and returned orders.",
     ("orders", "order_items")),
    ("metric", "average order value",
     "metric average order value = SUM(order_items.quantity * order_items.unit_price) / COUNT(DISTINCT "
     "orders.order_id) WHERE orders.status NOT IN ('cancelled', 'returned') -- Revenue divided by the number "
     "of orders that count for revenue.",
     ("order_items", "orders")),  # derived from the expression: no tables listed
    ("dimension", "customer region",
     "dimension customer region = regions.name -- The sales region of the customer who placed the order.",
     ("regions",)),
    ("relationship", "orders.customer_id -> customers.customer_id",
     "relationship orders.customer_id -> customers.customer_id -- Each order belongs to one customer.",
     ("orders", "customers")),
    ("relationship", "customers.region_id -> regions.region_id",
     "relationship customers.region_id -> regions.region_id", ("customers", "regions")),
    ("glossary", "churned customer", "term churned customer: A customer with no order in the last 12 months.", ()),
]


@pytest.mark.parametrize("kind,name,text,tables", DEFINITIONS, ids=[d[1] for d in DEFINITIONS])
def test_definitions_read_as_one_line(kind, name, text, tables):
    kb = load_knowledge_base([SHOP])
    found = {(d.kind, d.name): d for d in kb.definitions}
    definition: Definition = found[(kind, name)]
    assert definition.text == text and "\n" not in definition.text
    assert definition.tables == tables
    assert definition.path and definition.path.endswith(".yaml")


def test_definitions_come_from_semantic_yaml_and_the_semantic_folder():
    kb = load_knowledge_base([SHOP])
    paths = {Path(d.path).relative_to(SHOP).as_posix() for d in kb.definitions}
    assert paths == {"semantic.yaml", "semantic/glossary.yaml"}
    assert len(kb.definitions) == 8


def test_documents_take_the_first_heading_as_title_and_the_stem_as_table():
    kb = load_knowledge_base([SHOP])
    docs = {d.table: d for d in kb.documents}
    assert set(docs) == {"customers", "orders", "conventions"}
    assert docs["customers"].title == "Customers"  # after a paragraph
    assert docs["conventions"].title == "Fiscal calendar conventions"  # not the '#' line inside a code fence
    assert "names repeat" in docs["customers"].text


def test_content_hash_depends_on_content_not_location_or_timestamps(tmp_path):
    copy = tmp_path / "kb"
    shutil.copytree(SHOP, copy)
    original = load_knowledge_base([SHOP]).content_hash
    assert re.fullmatch(r"[0-9a-f]{64}", original)
    assert load_knowledge_base([copy]).content_hash == original

    target = copy / "examples" / "orders_per_month.sql"
    os.utime(target, (1_000_000_000, 1_000_000_000))
    assert load_knowledge_base([copy]).content_hash == original

    target.write_text(target.read_text() + "\n-- a trailing comment\n")
    changed = load_knowledge_base([copy]).content_hash
    assert changed != original

    target.rename(copy / "examples" / "monthly_orders.sql")
    assert load_knowledge_base([copy]).content_hash not in (original, changed)


def test_content_hash_covers_files_that_failed_to_load(tmp_path):
    copy = tmp_path / "kb"
    shutil.copytree(BROKEN, copy)
    before = load_knowledge_base([copy]).content_hash
    bad = copy / "examples" / "bad_sql.sql"
    bad.write_bytes(bad.read_bytes().replace(b"AND AND", b"AND OR"))
    assert load_knowledge_base([copy]).content_hash != before


@pytest.mark.parametrize("text,key", [
    ("Which 5 customers spent the most?", "which 5 customers spent the most"),
    ("  WHICH 5   customers\tspent the MOST?!  ", "which 5 customers spent the most"),
    ("What's the revenue, per region?", "whats the revenue per region"),
    ("Top-10 products (by units)", "top 10 products by units"),
    ("order_items per order", "order items per order"),
    ("Umsatz für Köln?", "umsatz für köln"),
])
def test_question_key(text, key):
    assert question_key(text) == key


def test_the_demo_knowledge_base_loads_without_problems():
    assert DEMO.is_dir(), f"the demo knowledge base is missing: {DEMO}"
    kb = load_knowledge_base([DEMO])
    assert [str(p) for p in kb.problems] == []
    assert len(kb.examples) >= 10 and kb.definitions and kb.documents
