"""The semantic layer rendered as Markdown: ``render_markdown`` and ``%vanna docs``."""

import pytest

from vanna_magic.core.data.demo import demo_knowledge_base
from vanna_magic.core.knowledge.files import load_knowledge_base
from vanna_magic.core.knowledge.semantic import render_markdown


@pytest.fixture(scope="module")
def demo_kb():
    return load_knowledge_base([demo_knowledge_base()])


def test_every_section_and_document_is_rendered(demo_kb):
    page = render_markdown(demo_kb)
    for heading in ("# Knowledge base", "## Metrics", "## Dimensions", "## Glossary", "## Relationships",
                    "## Documents", "### revenue"):
        assert f"\n{heading}\n" in f"\n{page}"
    assert "orders.status NOT IN ('cancelled', 'returned')" in page  # the filter, as written
    assert "- `order_items.order_id` → `orders.order_id`" in page
    assert "\n### orders\n" in page  # a document's "# orders" nested under "## Documents"
    assert page.count("```") % 2 == 0


def test_code_fences_keep_their_hash_lines():
    from vanna_magic.core.knowledge.base import Document, KnowledgeBase

    kb = KnowledgeBase(documents=[Document("notes", "# notes\n\n```sh\n# not a heading\n```\n## Caveats\n")])
    page = render_markdown(kb)
    assert "\n# not a heading\n" in page and "\n#### Caveats\n" in page and "\n### notes\n" in page


@pytest.mark.parametrize("topic, present, absent", [
    ("orders", ["### revenue", "### orders", "| `status` |"], ["### suppliers"]),
    ("revenue", ["### revenue"], ["## Documents", "### order count"]),
    ("Customer Segment", ["### customer segment"], ["### revenue"]),
])
def test_a_topic_renders_only_what_concerns_it(demo_kb, topic, present, absent):
    page = render_markdown(demo_kb, topic)
    assert page.startswith(f"# {topic}\n")
    assert all(text in page for text in present), page[:500]
    assert not any(text in page for text in absent)


def test_an_unknown_topic_says_so(demo_kb):
    assert "Nothing in the knowledge base is about 'nowhere'." in render_markdown(demo_kb, "nowhere")


def test_vanna_docs_displays_markdown_with_a_text_fallback(shell):
    page = shell.run_cell("%vanna docs").result
    assert page._repr_markdown_().startswith("# Knowledge base\n")
    assert "## Glossary" in str(page)
    formatted, _ = shell.display_formatter.format(page)
    assert formatted["text/markdown"] == formatted["text/plain"] == page.text


def test_vanna_docs_of_a_table(shell):
    assert "| `shipping_cost` |" in shell.run_cell("%vanna docs orders").result.text


def test_a_bad_yaml_file_is_a_problem_and_the_rest_still_renders(tmp_path):
    (tmp_path / "semantic").mkdir()
    (tmp_path / "semantic" / "bad.yaml").write_text("metrics:\n  - name: x\n    sql: [unclosed\n")
    (tmp_path / "semantic" / "good.yaml").write_text("glossary:\n  - term: churn\n    definition: a lost customer\n")
    kb = load_knowledge_base([tmp_path])
    assert [p.line for p in kb.problems] == [4] and kb.problems[0].path.endswith("bad.yaml")
    assert "| **churn** | a lost customer |" in render_markdown(kb)


ENTITIES = """\
tables:
  - name: loyalty_cards
    description: One card per member of the loyalty programme.
    columns:
      tier: bronze, silver or gold | by yearly spend
      card_id:
"""


def test_a_tables_entry_is_a_document_about_that_table(tmp_path):
    (tmp_path / "semantic.yaml").write_text(ENTITIES)
    kb = load_knowledge_base([tmp_path])
    assert kb.problems == [] and kb.definitions == []
    [doc] = kb.documents
    assert (doc.title, doc.table) == ("loyalty_cards", "loyalty_cards")
    assert doc.text == ("# loyalty_cards\n\nOne card per member of the loyalty programme.\n\n| column | meaning |\n"
                        "|---|---|\n| `tier` | bronze, silver or gold \\| by yearly spend |\n| `card_id` |  |\n")
    assert "\n### loyalty_cards\n" in render_markdown(kb)


def test_table_entries_are_searched_as_tables_and_columns(tmp_path):
    from vanna_magic.core.data.schema import Column, Table
    from vanna_magic.core.knowledge.embed import HashingEmbedder
    from vanna_magic.core.knowledge.search import search

    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "semantic.yaml").write_text(ENTITIES)
    kb = load_knowledge_base([tmp_path / "kb"])
    tables = [Table("loyalty_cards", (Column("card_id", "INTEGER"), Column("tier", "TEXT")))]
    hits = search("loyalty tier", kb, tables, HashingEmbedder(), tmp_path / "cache")
    column = next(h for h in hits if h.kind == "column")
    assert column.name == "loyalty_cards.tier" and "bronze, silver or gold" in column.text
    assert any(h.kind == "table" and "loyalty programme" in h.text for h in hits)


@pytest.mark.parametrize("yaml_text, message", [
    ("tables:\n  - name: t\n    description: d\n    columns: [a, b]\n",
     "semantic.yaml:4: table key 'columns' must be a mapping of column names to their meaning"),
    ("tables:\n  - name: t\n", "semantic.yaml:2: table 't' is missing 'description'"),
    ("tables:\n  - name: t\n    description: [d]\n", "semantic.yaml:3: table key 'description' must be text"),
])
def test_bad_tables_entries_name_file_and_line(tmp_path, yaml_text, message):
    (tmp_path / "semantic.yaml").write_text(yaml_text)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "orders.md").write_text("# orders\n")
    kb = load_knowledge_base([tmp_path])
    assert [str(p).splitlines()[0].endswith(message) for p in kb.problems] == [True], kb.problems
    assert [d.title for d in kb.documents] == ["orders"]  # the rest still loads
