"""Retrieval over a small fixture knowledge base: examples, schema linking, definitions, documents, caching."""

import shutil
from pathlib import Path

import pytest
import yaml

from vanna_magic.core.data.schema import Column, ForeignKey, Table
from vanna_magic.core.knowledge.base import KnowledgeBase
from vanna_magic.core.knowledge.embed import HashingEmbedder
from vanna_magic.core.knowledge.files import load_knowledge_base
from vanna_magic.core.knowledge.retrieve import Retriever

FIXTURES = Path(__file__).parent / "fixtures" / "kb"
SHOP = FIXTURES / "shop"
CASES = yaml.safe_load((FIXTURES / "retrieval_cases.yaml").read_text())
CATALOG = yaml.safe_load((FIXTURES / "catalog.yaml").read_text())


def tables(*groups: str) -> list[Table]:
    """Catalog tables from catalog.yaml; foreign keys are written ``column: table.column``."""
    found = []
    for group in groups:
        for name, spec in CATALOG[group].items():
            keys = tuple(ForeignKey((column,), ref.split(".")[0], (ref.split(".")[1],))
                         for column, ref in (spec.get("foreign_keys") or {}).items())
            found.append(Table(name, tuple(Column(c, "TEXT") for c in spec["columns"]), foreign_keys=keys))
    return found


SMALL = tables("shop")
LARGE = tables("shop", "unrelated")


class CountingEmbedder:
    """Wraps the hashing embedder and records every batch it embeds."""

    def __init__(self):
        self.inner = HashingEmbedder()
        self.name, self.dim = self.inner.name, self.inner.dim
        self.calls: list[list[str]] = []

    def embed(self, texts):
        self.calls.append(list(texts))
        return self.inner.embed(texts)

    def corpus_calls(self):
        return [batch for batch in self.calls if len(batch) > 1]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    return Retriever(load_knowledge_base([SHOP]), HashingEmbedder(), tmp_path_factory.mktemp("index"))


def stem_of(scored) -> str:
    return Path(scored.example.path).stem


@pytest.mark.parametrize("question,expected", CASES["paraphrases"].items())
def test_a_paraphrase_retrieves_its_example_first(retriever, question, expected):
    found = retriever.retrieve(question, SMALL, k=3).examples
    assert stem_of(found[0]) == expected, [(stem_of(s), round(s.score, 3)) for s in found]
    assert len(found) <= 3
    assert all(-1 <= s.score <= 1 for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_a_small_schema_keeps_the_linked_tables_and_what_their_keys_reach(retriever):
    found = [t.name for t in retriever.retrieve("Which customers signed up in 2023?", SMALL).tables]
    assert found[0] == "customers"
    assert "regions" in found  # customers.region_id references it
    assert "suppliers" not in found and "products" not in found  # nothing in the question leads there


def test_a_question_that_points_nowhere_gets_the_whole_small_schema(retriever):
    found = [t.name for t in retriever.retrieve("How are we doing?", SMALL).tables]
    assert sorted(found) == sorted(t.name for t in SMALL)


# Without declared foreign keys, as in many analytics databases: joins by shared key columns.
UNKEYED = [Table("author", (Column("authorid", "INTEGER"), Column("name", "TEXT"))),
           Table("paper", (Column("paperid", "INTEGER"), Column("title", "TEXT"), Column("venueid", "INTEGER"))),
           Table("writes", (Column("authorid", "INTEGER"), Column("paperid", "INTEGER"))),
           Table("venue", (Column("venueid", "INTEGER"), Column("venuename", "TEXT"))),
           Table("keyphrase", (Column("keyphraseid", "INTEGER"), Column("keyphrasename", "TEXT")))]


def test_a_table_joining_two_linked_tables_is_kept_without_foreign_keys(retriever):
    found = [t.name for t in retriever.retrieve("List the title of each paper by the author named Smith",
                                                UNKEYED).tables]
    assert {"author", "paper", "writes"} <= set(found)  # writes shares authorid and paperid
    assert "keyphrase" not in found
    assert "venue" not in found  # it joins paper only: nothing to bridge


def test_linked_tables_that_join_directly_need_no_bridge(retriever):
    found = [t.name for t in retriever.retrieve("Which venue published each paper title?", UNKEYED).tables]
    assert {"paper", "venue"} <= set(found)
    assert "writes" not in found and "author" not in found


@pytest.mark.parametrize("question,first", [
    ("Which customers signed up in 2023?", "customers"),
    ("How many suppliers are there in each country?", "suppliers"),
    ("Which region has the most customers?", "regions"),
    ("What is the average discount per order item?", "order_items"),
])
def test_schema_linking_ranks_the_table_the_question_is_about_first(retriever, question, first):
    assert retriever.retrieve(question, LARGE).tables[0].name == first


def test_a_large_schema_is_cut_to_linked_tables_plus_foreign_key_neighbours(retriever):
    found = [t.name for t in retriever.retrieve("Which customers signed up in 2023?", LARGE).tables]
    assert found[0] == "customers"
    assert "regions" in found  # customers.region_id -> regions: a neighbour no word of the question names
    assert "loyalty_cards" in found  # references customers
    assert not {"employees", "payroll_runs", "web_sessions", "feature_flags"} & set(found)
    assert len(found) < len(LARGE)


def test_neighbours_follow_foreign_keys_in_both_directions(retriever):
    found = [t.name for t in retriever.retrieve("Which suppliers are based in France?", LARGE).tables]
    assert found[0] == "suppliers" and "products" in found  # products.supplier_id -> suppliers
    found = [t.name for t in retriever.retrieve("List every product with its unit price", LARGE).tables]
    assert found[0] == "products" and "suppliers" in found


def without_foreign_keys(found: list[Table]) -> list[Table]:
    return [Table(t.name, t.columns) for t in found]


def test_tables_read_by_the_closest_example_are_linked(retriever, tmp_path):
    # No word of the question names order_items and, without foreign keys, nothing joins it to
    # customers: only the example the question paraphrases (it reads order_items) links it.
    catalog = without_foreign_keys(LARGE)
    question = "Who were the top five customers by spending in 2024?"
    assert "order_items" in [t.name for t in retriever.retrieve(question, catalog).tables]
    empty = Retriever(KnowledgeBase(), HashingEmbedder(), tmp_path)
    assert "order_items" not in [t.name for t in empty.retrieve(question, catalog).tables]


def test_tables_of_retrieved_definitions_are_linked(tmp_path):
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    shutil.copy(SHOP / "semantic.yaml", kb_dir / "semantic.yaml")
    retriever = Retriever(load_knowledge_base([kb_dir]), HashingEmbedder(), tmp_path / "cache")
    found = retriever.retrieve("Show the revenue by segment", without_foreign_keys(LARGE))
    assert "revenue" in [d.name for d in found.definitions]
    assert {"customers", "orders", "order_items"} <= {t.name for t in found.tables}  # the metric lists two
    empty = Retriever(KnowledgeBase(), HashingEmbedder(), tmp_path / "cache")
    without = {t.name for t in empty.retrieve("Show the revenue by segment", without_foreign_keys(LARGE)).tables}
    assert "customers" in without and not {"orders", "order_items"} & without


def test_words_that_name_no_schema_object_do_not_link_tables(retriever):
    found = [t.name for t in retriever.retrieve("Number of orders per month", LARGE).tables]
    assert found[0] == "orders" and "shipments" not in found  # shipments.tracking_number


def test_definitions_named_in_the_question_and_relationships_of_the_tables(retriever):
    found = retriever.retrieve("What is the average order value by customer region?", SMALL).definitions
    names = [d.name for d in found]
    assert names[:2] == ["average order value", "customer region"] or \
        names[:2] == ["customer region", "average order value"]
    assert "orders.customer_id -> customers.customer_id" in names
    assert len(names) == len(set(names))


def test_documents_of_the_linked_tables_then_general_documents(retriever):
    docs = [d.title for d in retriever.retrieve("Which customers signed up in 2023?", LARGE).documents]
    assert docs[0] == "Customers" and len(docs) <= 3
    docs = [d.title for d in retriever.retrieve("Which fiscal quarter convention do we use?", SMALL).documents]
    assert "Fiscal calendar conventions" in docs


@pytest.mark.parametrize("question,expected", CASES["same_question"].items())
def test_exact_match_finds_the_same_question_reworded(retriever, question, expected):
    match = retriever.exact_match(question)
    assert match is not None and stem_of(match) == expected
    assert match.score >= 0.92


@pytest.mark.parametrize("question", CASES["different_question"])
def test_exact_match_rejects_a_different_question(retriever, question):
    assert retriever.exact_match(question) is None


@pytest.mark.parametrize("question", [
    "Which 10 customers spent the most in 2024?",
    "Which 5 customers spent the most before 2024?",
    "which customers spent the most in 2024",
])
def test_a_cosine_match_must_agree_on_numbers_and_direction_words(retriever, question):
    assert retriever.closest_questions(question, n=1)[0].score >= 0.75  # close enough by cosine alone
    assert retriever.exact_match(question, threshold=0.75) is None


def test_a_lower_threshold_accepts_a_looser_rewording(retriever):
    question = "Which 5 customers spent the most money in 2024?"
    assert retriever.exact_match(question) is None
    assert stem_of(retriever.exact_match(question, threshold=0.8)) == "top_customers"


def test_closest_questions(retriever):
    found = retriever.closest_questions("Which 5 customers spent the most in 2023?", n=2)
    assert [stem_of(s) for s in found] == ["top_customers", "least_customers"]
    assert found[0].score > found[1].score


def test_an_empty_knowledge_base_still_links_tables(tmp_path):
    empty = Retriever(KnowledgeBase(), HashingEmbedder(), tmp_path)
    found = empty.retrieve("Which customers signed up in 2023?", LARGE)
    assert found.examples == [] and found.definitions == [] and found.documents == []
    assert found.tables[0].name == "customers"
    assert empty.exact_match("anything") is None and empty.closest_questions("anything") == []
    assert empty.retrieve("anything", []).tables == []


def test_indexes_are_cached_on_disk_and_rebuilt_when_a_file_changes(tmp_path):
    kb_dir, cache = tmp_path / "kb", tmp_path / "cache"
    shutil.copytree(SHOP, kb_dir)
    question = "Which 5 customers spent the most in 2024?"

    first = CountingEmbedder()
    Retriever(load_knowledge_base([kb_dir]), first, cache).retrieve(question, LARGE)
    embedded = [text for batch in first.corpus_calls() for text in batch]
    assert "How many orders were placed each month?" in embedded  # the example questions
    assert any(text.startswith("customers ") for text in embedded)  # the table descriptors

    second = CountingEmbedder()
    Retriever(load_knowledge_base([kb_dir]), second, cache).retrieve(question, LARGE)
    assert second.corpus_calls() == []  # everything came from the cache
    assert second.calls == [[question]]

    (kb_dir / "examples" / "customer_count.sql").write_text(
        "-- Question: How many customers are there?\nSELECT COUNT(*) FROM customers\n")
    third = CountingEmbedder()
    Retriever(load_knowledge_base([kb_dir]), third, cache).retrieve(question, LARGE)
    # Incremental: the other vectors are copied from the previous indexes, only the new question is embedded.
    assert sorted(third.calls) == sorted([[question], ["How many customers are there?"]])
    assert len(list(cache.glob("questions-*.faiss"))) == 1  # the stale index was removed


def test_table_descriptors_are_embedded_once_per_catalog(tmp_path):
    embedder = CountingEmbedder()
    retriever = Retriever(load_knowledge_base([SHOP]), embedder, tmp_path)
    retriever.retrieve("Which customers signed up in 2023?", LARGE)
    calls = len(embedder.corpus_calls())
    retriever.retrieve("How many orders were placed each month?", list(LARGE))
    assert len(embedder.corpus_calls()) == calls
    before = len(embedder.calls)
    changed = LARGE[:-1] + [Table("loyalty_cards", (Column("card_id", "INTEGER"), Column("tier", "TEXT")))]
    retriever.retrieve("Which customers signed up in 2023?", changed)
    new = embedder.calls[before:]  # incremental: only the new table's descriptor
    assert len(new) == 1 and len(new[0]) == 1 and new[0][0].startswith("loyalty_cards ")


def test_a_big_schema_keeps_the_bridge_between_linked_tables_too(retriever):
    big = UNKEYED + tables("unrelated")
    assert len(big) > 12
    found = [t.name for t in retriever.retrieve("List the title of each paper by the author named Smith", big).tables]
    assert {"author", "paper", "writes"} <= set(found)
    assert "payroll_runs" not in found


def test_a_compound_written_apart_links_its_table(retriever):
    schema = [Table("checkin", (Column("cid", "INTEGER"), Column("business_id", "TEXT"), Column("count", "INTEGER"))),
              Table("business", (Column("business_id", "TEXT"), Column("name", "TEXT"))),
              Table("users", (Column("user_id", "TEXT"), Column("name", "TEXT")))]
    found = [t.name for t in retriever.retrieve("Total check-ins for each business?", schema).tables]
    assert "checkin" in found and "users" not in found
