"""The offline hashing embedder, the litellm embedder (with a fake litellm) and make_embedder."""

import json
import os
import subprocess
import sys
import types

import numpy as np
import pytest

from vanna_magic.core.errors import ConfigurationError, GenerationError
from vanna_magic.core.knowledge.embed import HashingEmbedder, LiteLLMEmbedder, make_embedder, stem, words

TEXTS = [
    "Which 5 customers spent the most in 2024?",
    "revenue per region",
    "the of and",  # only stopwords
    "",
    "?!",
    "Umsatz pro Kunde in Köln",
    "order_items.unit_price * quantity",
]


def test_vectors_are_float32_unit_rows():
    vectors = HashingEmbedder(dim=512).embed(TEXTS)
    assert vectors.shape == (len(TEXTS), 512) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_empty_input_gives_an_empty_matrix():
    assert HashingEmbedder(dim=64).embed([]).shape == (0, 64)


def test_name_encodes_the_parameters():
    assert HashingEmbedder().name == "hashing-v1-1024"
    assert HashingEmbedder(dim=256).name == "hashing-v1-256"


def test_same_vectors_in_another_process_with_another_hash_seed():
    code = ("import json, sys; from vanna_magic.core.knowledge.embed import HashingEmbedder; "
            "print(json.dumps(HashingEmbedder().embed(json.loads(sys.argv[1])).tolist()))")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code, json.dumps(TEXTS)], capture_output=True, text=True,
                         env=env, check=True, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    theirs = np.array(json.loads(out.stdout), dtype=np.float32)
    ours = HashingEmbedder().embed(TEXTS)
    np.testing.assert_array_equal(theirs, ours)


def test_a_batch_embeds_each_text_as_if_alone():
    embedder = HashingEmbedder()
    together = embedder.embed(TEXTS)
    alone = np.vstack([HashingEmbedder().embed([t]) for t in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-6)


@pytest.mark.parametrize("text,closer,farther", [
    ("Which customers spent the most?", "top customers by spending", "number of suppliers per country"),
    ("orders per month", "How many orders were placed each month?", "products never ordered by region"),
    ("revenue by region", "total revenue per region", "revenue by product category"),
    ("customer signups", "customers who signed up", "shipping cost of orders"),
])
def test_paraphrases_are_closer_than_other_questions(text, closer, farther):
    a, b, c = HashingEmbedder().embed([text, closer, farther])
    assert float(a @ b) > float(a @ c)


@pytest.mark.parametrize("word,expected", [
    ("customers", "customer"), ("regions", "region"), ("ordered", "order"), ("ordering", "order"),
    ("categories", "category"), ("status", "status"), ("addresses", "address"), ("spent", "spent"),
    ("sales", "sale"), ("is", "is"),
])
def test_stem(word, expected):
    assert stem(word) == expected


@pytest.mark.parametrize("text,expected", [
    ("region_id", ["region", "id"]),
    ("OrderItems", ["order", "items"]),
    ("Top-5 customers?", ["top", "5", "customers"]),
])
def test_words(text, expected):
    assert words(text) == expected


def test_make_embedder():
    assert isinstance(make_embedder("hashing"), HashingEmbedder)
    litellm = make_embedder("litellm:openai/text-embedding-3-small", api_base="http://localhost:1234/v1")
    assert isinstance(litellm, LiteLLMEmbedder)
    assert litellm.model == "openai/text-embedding-3-small" and litellm.api_base == "http://localhost:1234/v1"
    assert litellm.name == "litellm-openai/text-embedding-3-small"


@pytest.mark.parametrize("spec", ["", "bert", "litellm:", "sentence-transformers"])
def test_an_unknown_embedder_is_a_configuration_error_naming_it(spec):
    with pytest.raises(ConfigurationError) as info:
        make_embedder(spec)
    assert repr(spec) in str(info.value) and info.value.setting == "embedder"


class FakeLiteLLM(types.ModuleType):
    """Stands in for the litellm module: deterministic vectors, items returned out of order."""

    def __init__(self, fail: Exception | None = None):
        super().__init__("litellm")
        self.calls = []
        self.fail = fail

    def embedding(self, model, input, api_base=None):
        self.calls.append((model, list(input), api_base))
        if self.fail:
            raise self.fail
        data = [{"index": i, "embedding": [float(len(t)), 1.0, 2.0 * i]} for i, t in enumerate(input)]
        return types.SimpleNamespace(data=list(reversed(data)))


def test_litellm_embedder_batches_orders_and_normalises(monkeypatch):
    fake = FakeLiteLLM()
    monkeypatch.setitem(sys.modules, "litellm", fake)
    embedder = LiteLLMEmbedder("openai/text-embedding-3-small", batch_size=2)
    vectors = embedder.embed(["a", "bb", "", "dddd", "eeeee"])
    assert [len(batch) for _, batch, _ in fake.calls] == [2, 2, 1]
    assert fake.calls[1][1] == [" ", "dddd"]  # empty strings are sent as a space
    assert vectors.shape == (5, 3) and embedder.dim == 3
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    expected = np.array([4.0, 1.0, 2.0]) / np.linalg.norm([4.0, 1.0, 2.0])  # "dddd", second of its batch
    np.testing.assert_allclose(vectors[3], expected, rtol=1e-6)


def test_litellm_failures_are_generation_errors_naming_the_model(monkeypatch):
    cause = RuntimeError("401 invalid api key sk-test-secret-123456")
    monkeypatch.setitem(sys.modules, "litellm", FakeLiteLLM(fail=cause))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-123456")
    with pytest.raises(GenerationError) as info:
        LiteLLMEmbedder("openai/text-embedding-3-small").embed(["x"])
    assert "openai/text-embedding-3-small" in str(info.value)
    assert "sk-test-secret-123456" not in str(info.value)
    assert info.value.__cause__ is cause
