"""``%vanna search``: one ranked list over tables, columns, definitions, documents and examples."""

import pytest

from vanna_magic.core.knowledge.embed import HashingEmbedder
from vanna_magic.core.knowledge.search import search
from vanna_magic.core.results import SEARCH_KINDS


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from vanna_magic import Session
    from vanna_magic.core.config import load_settings

    cache = tmp_path_factory.mktemp("search-cache")
    session = Session(settings=load_settings(environ={}, start=None).replace(cache_dir=str(cache)))
    yield session.knowledge_base, session.catalog().tables(), cache
    session.close()


def run(demo, query, **kwargs):
    kb, tables, cache = demo
    return search(query, kb, tables, HashingEmbedder(), cache / "index", **kwargs)


@pytest.mark.parametrize("query, kind, name", [
    ("revenue", "metric", "revenue"),
    ("shipping cost", "column", "orders.shipping_cost"),
    ("orders", "table", "orders"),
    ("customer segment", "dimension", "customer segment"),
    ("return rate", "metric", "return rate"),
    ("how many orders are in each status", "example", "How many orders are in each status?"),
])
def test_the_best_hit_has_the_expected_kind_and_name(demo, query, kind, name):
    hits = run(demo, query)
    best = [h for h in hits if h.score == hits[0].score]
    assert any(h.kind == kind and (name is None or h.name == name) for h in best), hits[:3]


def test_hits_carry_a_kind_a_score_and_are_best_first(demo):
    hits = run(demo, "revenue by region", limit=20)
    assert len(hits) == 20
    assert {h.kind for h in hits} <= set(SEARCH_KINDS) and len({h.kind for h in hits}) >= 3
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


def test_kinds_restrict_the_hits(demo):
    hits = run(demo, "customer", kinds=("column", "glossary"))
    assert hits and {h.kind for h in hits} <= {"column", "glossary"}


def test_an_empty_query_or_corpus_finds_nothing(demo):
    from vanna_magic.core.knowledge.base import KnowledgeBase

    assert run(demo, "   ") == []
    _, _, cache = demo
    assert search("revenue", KnowledgeBase(), [], HashingEmbedder(), cache / "index") == []


def test_the_vanna_search_command_returns_a_table(shell):
    frame = shell.run_cell("%vanna search shipping cost --limit 3").result
    assert list(frame.columns) == ["kind", "name", "score", "about", "file"]
    assert len(frame) == 3 and frame.iloc[0]["name"] == "orders.shipping_cost"
    frame = shell.run_cell("%vanna search revenue --kind metric --kind glossary").result
    assert set(frame["kind"]) <= {"metric", "glossary"}


@pytest.mark.parametrize("line, message", [
    ("%vanna search", "the following arguments are required: TEXT"),
    ("%vanna search revenue --kind planet", "invalid choice: 'planet'"),
    ("%vanna search revenue --limit 0", "expected a positive integer, got '0'"),
])
def test_bad_search_arguments(shell, line, message):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match=message):
        shell.run_cell(line)


def test_the_knowledge_base_is_searchable_without_a_database(session_factory, tmp_path):
    from vanna_magic.core.data.demo import demo_knowledge_base

    session = session_factory(connection=f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite'}",
                              knowledge_base=str(demo_knowledge_base()))
    hits = session.search("revenue", limit=5)
    assert hits[0].kind == "metric" and hits[0].name == "revenue"
    assert not {h.kind for h in hits} & {"table", "column"}
