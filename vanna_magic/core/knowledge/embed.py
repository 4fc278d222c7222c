"""Turning text into vectors: an offline hashing embedder by default, a litellm model when configured.

Every embedder returns float32 rows of unit length, so an inner product is a cosine.

>>> e = HashingEmbedder(dim=256)
>>> v = e.embed(["Top customers by revenue", "top customer revenue"])
>>> v.shape, bool(abs(float(v[0] @ v[0]) - 1) < 1e-5), bool(float(v[0] @ v[1]) > 0.5)
((2, 256), True, True)
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from typing import TYPE_CHECKING, Protocol, Sequence

from ..errors import ConfigurationError, GenerationError

if TYPE_CHECKING:
    import numpy as np

STOPWORDS = frozenset(
    "a an and are as at be been by can could did do does for from give had has have how i in into is it its "
    "list me my of on or our please show tell than that the their them then there these they this those to "
    "us was we were what when where which who whom whose will with would you your".split()
)

_WORD = re.compile(r"[^\W_]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def words(text: str) -> list[str]:
    """Lowercased words of ``text``; underscores and camelCase split words (``region_id`` -> region, id)."""
    return _WORD.findall(_CAMEL.sub(" ", text).lower())


def stem(word: str) -> str:
    """A light stemmer: plural ``s``/``ies``/``sses``, ``ing`` and ``ed`` (``customers`` -> ``customer``)."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith(("ies", "ied")):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("sses"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_stems(text: str) -> list[str]:
    """Stems of the words of ``text`` that are not stopwords, in order."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors of shape ``(len(texts), dim)``."""

    name: str  # encodes every parameter that changes the vectors: it keys the index cache
    dim: int

    def embed(self, texts: Sequence[str]) -> "np.ndarray": ...


_SIGN_SEED = 0x9E3779B9
_UNIGRAM, _BIGRAM, _CHARS = 1.0, 0.7, 0.6


class HashingEmbedder:
    """Offline, deterministic embedder: signed feature hashing of words, word pairs and character n-grams.

    Features are unigram stems, bigrams of consecutive stems and character 3-5-grams of each
    word, weighted by ``1 + ln(tf)``; ``zlib.crc32`` keeps the hashing stable across processes.
    """

    version = "v1"

    def __init__(self, dim: int = 1024):
        if dim < 16:
            raise ConfigurationError(f"hashing embedder dimension must be at least 16, got {dim}", setting="embedder")
        self.dim = dim
        self.name = f"hashing-{self.version}-{dim}"
        self._features: dict[str, tuple[list[int], list[float]]] = {}

    def _hashed(self, feature: str) -> tuple[int, float]:
        data = feature.encode("utf-8")
        sign = 1.0 if zlib.crc32(data, _SIGN_SEED) & 1 else -1.0
        return zlib.crc32(data) % self.dim, sign

    def _word_features(self, word: str) -> tuple[list[int], list[float]]:
        cached = self._features.get(word)
        if cached is not None:
            return cached
        index, sign = self._hashed("w:" + stem(word))
        cols, vals = [index], [sign * _UNIGRAM]
        padded = f"<{word}>"
        grams = [padded[i:i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]
        weight = _CHARS / math.sqrt(max(len(grams), 1))
        for gram in grams:
            index, sign = self._hashed("c:" + gram)
            cols.append(index)
            vals.append(sign * weight)
        if len(self._features) > 500_000:  # bound memory on huge vocabularies
            self._features.clear()
        self._features[word] = (cols, vals)
        return cols, vals

    def _bigram_features(self, bigram: str) -> tuple[list[int], list[float]]:
        cached = self._features.get(bigram)
        if cached is None:
            index, sign = self._hashed("b:" + bigram)
            cached = self._features[bigram] = ([index], [sign * _BIGRAM])
        return cached

    def embed(self, texts: Sequence[str]) -> "np.ndarray":
        """Embed ``texts``; a text without any word gets the vector of a fixed "empty" feature."""
        import numpy as np

        terms: dict[str, int] = {}  # batch vocabulary; bigrams carry a space, words never do
        rows: list[int] = []
        term_ids: list[int] = []
        weights: list[float] = []
        for row, text in enumerate(texts):
            tokens = words(text)
            content = [w for w in tokens if w not in STOPWORDS] or tokens or ["\u2205"]
            stems = [stem(w) for w in content]
            counts = Counter(content)
            counts.update(f"{a} {b}" for a, b in zip(stems, stems[1:]))
            for term, count in counts.items():
                rows.append(row)
                term_ids.append(terms.setdefault(term, len(terms)))
                weights.append(1.0 + math.log(count))
        vocab = [self._bigram_features(t) if " " in t else self._word_features(t) for t in terms]
        lengths = np.fromiter((len(c) for c, _ in vocab), dtype=np.int64, count=len(vocab))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(vocab) else lengths
        flat_cols = np.fromiter((i for c, _ in vocab for i in c), dtype=np.int64)
        flat_vals = np.fromiter((v for _, vs in vocab for v in vs), dtype=np.float64)

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not rows:
            return out
        row_arr = np.asarray(rows, dtype=np.int64)
        term_arr = np.asarray(term_ids, dtype=np.int64)
        weight_arr = np.asarray(weights, dtype=np.float64)
        chunk = max(1, 4_000_000 // self.dim)
        bounds = np.searchsorted(row_arr, np.arange(0, len(texts) + chunk, chunk))
        for first, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
            if lo == hi:
                continue
            n_feat = lengths[term_arr[lo:hi]]
            offsets = np.repeat(starts[term_arr[lo:hi]] - np.cumsum(n_feat) + n_feat, n_feat)
            positions = offsets + np.arange(int(n_feat.sum()))
            local_rows = np.repeat(row_arr[lo:hi] - first * chunk, n_feat)
            values = flat_vals[positions] * np.repeat(weight_arr[lo:hi], n_feat)
            block = np.bincount(local_rows * self.dim + flat_cols[positions], weights=values,
                                minlength=chunk * self.dim)
            top = min(chunk, len(texts) - first * chunk)
            out[first * chunk:first * chunk + top] = block[:top * self.dim].reshape(top, self.dim)
        return normalize(out)


def normalize(vectors: "np.ndarray") -> "np.ndarray":
    """Rows scaled to unit length (zero rows stay zero), as contiguous float32."""
    import numpy as np

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors


class LiteLLMEmbedder:
    """Embeddings from any litellm embedding model (``openai/text-embedding-3-small``, ``ollama/...``)."""

    def __init__(self, model: str, api_base: str | None = None, batch_size: int = 128):
        self.model = model
        self.api_base = api_base
        self.batch_size = batch_size
        self.name = f"litellm-{model}"
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            self.embed(["dimension probe"])
        assert self._dim is not None
        return self._dim

    def embed(self, texts: Sequence[str]) -> "np.ndarray":
        import litellm
        import numpy as np

        from ..config import redact

        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            # Several providers reject empty strings.
            batch = [t if t.strip() else " " for t in texts[start:start + self.batch_size]]
            try:
                response = litellm.embedding(model=self.model, input=batch, api_base=self.api_base)
                items = sorted(response.data, key=lambda d: _field(d, "index"))
                rows.extend(_field(d, "embedding") for d in items)
            except Exception as exc:  # litellm raises many provider-specific types
                raise GenerationError(
                    f"embedding model {self.model} failed: {redact(str(exc))}", stage="retrieve",
                    hint="Check the model name and its API key, or set VannaMagic.embedder = 'hashing' "
                         "to embed offline.") from exc
            if len(rows) != start + len(batch):
                raise GenerationError(f"embedding model {self.model} returned {len(rows) - start} vectors "
                                      f"for {len(batch)} texts", stage="retrieve")
        if not rows:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        vectors = normalize(np.asarray(rows, dtype=np.float32))
        self._dim = vectors.shape[1]
        return vectors


def _field(item, name: str):
    return item[name] if isinstance(item, dict) else getattr(item, name)


def make_embedder(spec: str, *, api_base: str | None = None) -> Embedder:
    """The embedder named by ``spec``: ``"hashing"`` or ``"litellm:<embedding model>"``."""
    text = (spec or "").strip()
    if text == "hashing":
        return HashingEmbedder()
    if text.startswith("litellm:") and text[len("litellm:"):].strip():
        return LiteLLMEmbedder(text[len("litellm:"):].strip(), api_base=api_base)
    raise ConfigurationError(
        f"unknown embedder {spec!r}", setting="embedder",
        hint="Use 'hashing' (offline, no download) or 'litellm:<embedding model>', "
             "e.g. 'litellm:openai/text-embedding-3-small'.")
