"""The FAISS vector index and its disk cache: reuse, rebuild, corruption and atomic writes."""

import numpy as np
import pytest

from vanna_magic.core.knowledge.embed import HashingEmbedder
from vanna_magic.core.knowledge.index import VectorIndex, load_or_build

TEXTS = ["top customers by revenue", "orders per month", "suppliers per country", "products never ordered"]


class CountingEmbedder:
    """Wraps the hashing embedder and records every batch it embeds."""

    def __init__(self):
        self.inner = HashingEmbedder(dim=256)
        self.name, self.dim = self.inner.name, self.inner.dim
        self.calls: list[list[str]] = []

    def embed(self, texts):
        self.calls.append(list(texts))
        return self.inner.embed(texts)


def faiss_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.suffix == ".faiss")


def test_search_returns_cosines_best_first():
    vectors = HashingEmbedder(dim=256).embed(TEXTS)
    index = VectorIndex.build(vectors)
    assert index.ntotal == 4 and index.dim == 256
    scores, ids = index.search(vectors[2], 2)
    assert ids.shape == (1, 2) and ids[0, 0] == 2
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-5) and scores[0, 1] < scores[0, 0]
    np.testing.assert_allclose(index.vectors([1, 3]), vectors[[1, 3]], atol=1e-6)


def test_search_clips_k_and_handles_an_empty_index():
    vectors = HashingEmbedder(dim=256).embed(TEXTS)
    scores, ids = VectorIndex.build(vectors).search(vectors[:2], 10)
    assert ids.shape == (2, 4) and (ids >= 0).all()
    scores, ids = VectorIndex.build(np.zeros((0, 256), np.float32)).search(vectors[0], 3)
    assert ids.shape == (1, 0) and scores.shape == (1, 0)


def test_a_second_load_reads_the_cache_without_embedding(tmp_path):
    embedder = CountingEmbedder()
    first = load_or_build(tmp_path, "hash-1", TEXTS, embedder, prefix="examples-x")
    assert embedder.calls == [TEXTS]
    assert len(faiss_files(tmp_path)) == 1
    second = load_or_build(tmp_path, "hash-1", TEXTS, embedder, prefix="examples-x")
    assert embedder.calls == [TEXTS]
    query = embedder.inner.embed(["orders each month"])
    assert second.search(query, 4)[1].tolist() == first.search(query, 4)[1].tolist()


def test_new_content_is_rebuilt_and_old_files_of_the_prefix_removed(tmp_path):
    embedder = CountingEmbedder()
    load_or_build(tmp_path, "hash-1", TEXTS, embedder, prefix="examples-x")
    load_or_build(tmp_path, "hash-1", TEXTS, embedder, prefix="tables-x")  # another corpus: kept
    old = faiss_files(tmp_path)
    index = load_or_build(tmp_path, "hash-2", TEXTS + ["regions"], embedder, prefix="examples-x")
    assert index.ntotal == 5 and len(embedder.calls) == 3
    files = faiss_files(tmp_path)
    assert len(files) == 2 and [f for f in old if f.startswith("tables-x")][0] in files
    assert not set(old) >= set(files)


def test_the_embedder_name_is_part_of_the_key(tmp_path):
    load_or_build(tmp_path, "hash-1", TEXTS, CountingEmbedder(), prefix="p")
    other = CountingEmbedder()
    other.name = "hashing-v1-256-other"
    load_or_build(tmp_path, "hash-1", TEXTS, other, prefix="p")
    assert other.calls == [TEXTS]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_corrupt_cache_file_is_rebuilt(tmp_path, damage):
    embedder = CountingEmbedder()
    load_or_build(tmp_path, "hash-1", TEXTS, embedder, prefix="p")
    path = tmp_path / faiss_files(tmp_path)[0]
    data = path.read_bytes()
    path.write_bytes({"garbage": b"not an index at all", "truncated": data[: len(data) // 2], "empty": b""}[damage])
    index = load_or_build(tmp_path, "hash-1", TEXTS, embedder, prefix="p")
    assert index.ntotal == 4 and len(embedder.calls) == 2
    assert path.read_bytes() == data  # rewritten whole
    load_or_build(tmp_path, "hash-1", TEXTS, embedder, prefix="p")
    assert len(embedder.calls) == 2


def test_a_crash_while_writing_leaves_no_partial_index(tmp_path, monkeypatch):
    import faiss

    def crash(index, path):
        with open(path, "wb") as half:
            half.write(b"half an index")
        raise RuntimeError("disk full")

    monkeypatch.setattr(faiss, "write_index", crash)
    embedder = CountingEmbedder()
    index = load_or_build(tmp_path, "hash-1", TEXTS, embedder, prefix="p")
    assert index.ntotal == 4  # the caller still gets a working index
    assert list(tmp_path.iterdir()) == []  # neither a half-written cache file nor a temporary one
    monkeypatch.undo()
    load_or_build(tmp_path, "hash-1", TEXTS, embedder, prefix="p")
    assert len(faiss_files(tmp_path)) == 1 and len(embedder.calls) == 2


def test_an_unwritable_cache_folder_only_costs_a_rebuild(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    index = load_or_build(blocker / "index", "hash-1", TEXTS, CountingEmbedder(), prefix="p")
    assert index.ntotal == 4


def test_no_texts_no_embedding_no_file(tmp_path):
    embedder = CountingEmbedder()
    index = load_or_build(tmp_path, "hash-1", [], embedder, prefix="p")
    assert index.ntotal == 0 and embedder.calls == [] and list(tmp_path.iterdir()) == []
