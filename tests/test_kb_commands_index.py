"""The index after an edit: incremental (only new texts embedded) yet equal to a full rebuild; edits on
disk (a teammate's ``git pull``) are picked up on the next question without a manual rebuild."""

import shutil

import numpy as np
import pytest

from vanna_magic.core.knowledge.embed import HashingEmbedder
from vanna_magic.core.knowledge.files import load_knowledge_base
from vanna_magic.core.knowledge.index import load_or_build
from vanna_magic.core.knowledge.retrieve import Retriever

QUERIES = ["top customers by revenue", "orders per status", "regions", "monthly revenue 2024", "suppliers"]


class CountingEmbedder:
    def __init__(self):
        self.inner = HashingEmbedder()
        self.name, self.dim = self.inner.name, self.inner.dim
        self.embedded: list[str] = []

    def embed(self, texts):
        self.embedded += list(texts)
        return self.inner.embed(texts)


def write_example(folder, name, question, sql, description=None):
    header = f"-- Question: {question}\n" + (f"-- Description: {description}\n" if description else "")
    (folder / "examples" / name).write_text(header + sql + ";\n")


@pytest.fixture
def kb_copy(tmp_path):
    from vanna_magic.core.data.demo import demo_knowledge_base

    folder = tmp_path / "kb"
    shutil.copytree(demo_knowledge_base(), folder)
    return folder


def results(retriever):
    found = []
    for query in QUERIES:
        vector = retriever._vector(query)
        found.append([(s.example.question, round(s.score, 5)) for s in retriever.closest_questions(query, 8)])
        found.append([(i, round(s, 5)) for i, s in retriever._score_examples(vector, 8)])
    return found


@pytest.mark.parametrize("change", ["append", "insert", "remove", "edit"])
def test_an_incremental_update_equals_a_full_rebuild(kb_copy, tmp_path, change):
    embedder = CountingEmbedder()
    Retriever(load_knowledge_base([kb_copy]), embedder, tmp_path / "cache").warm()
    before = len(embedder.embedded)
    if change == "append":  # sorts last: the old index grows in place
        write_example(kb_copy, "zz_regions.sql", "How many regions are there?", "SELECT COUNT(*) FROM regions",
                      "Count of sales regions.")
    elif change == "insert":
        write_example(kb_copy, "aa_suppliers.sql", "How many suppliers are there?", "SELECT COUNT(*) FROM suppliers")
    elif change == "remove":
        (kb_copy / "examples" / "orders_by_status.sql").unlink()
    else:
        write_example(kb_copy, "orders_by_status.sql", "How many orders has each status?",
                      "SELECT status, COUNT(*) FROM orders GROUP BY status")
    kb = load_knowledge_base([kb_copy])
    incremental = Retriever(kb, embedder, tmp_path / "cache")
    incremental.warm()
    new_texts = embedder.embedded[before:]
    assert len(new_texts) <= 2 and all("?" in t or "." in t for t in new_texts)  # the new question (+ description)
    full_embedder = CountingEmbedder()
    full = Retriever(kb, full_embedder, tmp_path / "fresh-cache")
    full.warm()
    assert len(full_embedder.embedded) > 30
    for corpus in ("questions", "descriptions"):
        a, b = incremental._index(corpus), full._index(corpus)
        np.testing.assert_array_equal(a.vectors(range(a.ntotal)), b.vectors(range(b.ntotal)))
    assert results(incremental) == results(full)


def test_appending_adds_to_the_cached_index_instead_of_re_embedding(tmp_path):
    embedder = CountingEmbedder()
    texts = ["top customers", "orders per month", "regions"]
    load_or_build(tmp_path, "v1", texts, embedder, prefix="questions-x")
    index = load_or_build(tmp_path, "v2", texts + ["suppliers by country"], embedder, prefix="questions-x")
    assert embedder.embedded == texts + ["suppliers by country"] and index.ntotal == 4
    assert sorted(p.name.split(".", 1)[1] for p in tmp_path.iterdir()) == ["faiss", "keys.npy"]


def test_a_teammates_git_pull_is_picked_up_on_the_next_question(session_factory, kb_copy):
    from vanna_magic.core.errors import ModelNotConfiguredError

    session = session_factory(knowledge_base=str(kb_copy))
    question = "How many suppliers are there in each country?"
    with pytest.raises(ModelNotConfiguredError):
        session.ask(question)
    write_example(kb_copy, "suppliers_per_country.sql", question,
                  "SELECT country, COUNT(*) AS suppliers FROM suppliers GROUP BY country")
    answer = session.ask(question)  # no rebuild asked for: the files changed, so the index follows
    assert answer.source == "knowledge_base" and "suppliers_per_country.sql" in answer.notes[0]
    assert len(answer.frame) > 0


def test_a_large_index_is_an_inverted_file_that_still_finds_each_text(tmp_path, monkeypatch):
    import vanna_magic.core.knowledge.index as index_module

    monkeypatch.setattr(index_module, "EXACT_LIMIT", 50)
    texts = [f"question number {i} about {w}" for i, w in enumerate(("revenue orders customers regions " * 40).split())]
    embedder = CountingEmbedder()
    index = load_or_build(tmp_path, "big", texts, embedder, prefix="questions-big")
    assert type(index._index).__name__ == "IndexIVFFlat"
    vectors = embedder.inner.embed(texts)
    np.testing.assert_allclose(index.vectors([0, 77, 159]), vectors[[0, 77, 159]], atol=1e-6)
    for i in (0, 77, 159):
        assert index.search(vectors[i], 1)[1][0, 0] == i
    reread = load_or_build(tmp_path, "big+1", texts + ["one more question"], embedder, prefix="questions-big")
    assert embedder.embedded[-1:] == ["one more question"] and reread.ntotal == 161
    assert reread.search(embedder.inner.embed(["one more question"]), 1)[1][0, 0] == 160
