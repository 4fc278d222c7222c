"""An exact vector index (FAISS inner product over unit vectors, so scores are cosines) and its disk cache.

The cache is derived data: a file is named after a digest of the content it was built
from, written atomically, and rebuilt whenever it is missing, stale or unreadable.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import numpy as np

    from .embed import Embedder


def _faiss():
    import faiss

    return faiss


class VectorIndex:
    """Exact cosine search over unit-length float32 vectors (``faiss.IndexFlatIP``)."""

    def __init__(self, index) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: "np.ndarray") -> "VectorIndex":
        """An index holding ``vectors`` (shape ``(n, dim)``); row ``i`` gets id ``i``."""
        import numpy as np

        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim != 2:
            raise ValueError(f"expected a 2-D array of vectors, got shape {matrix.shape}")
        index = _faiss().IndexFlatIP(max(matrix.shape[1], 1))
        if len(matrix):
            index.add(matrix)
        return cls(index)

    @classmethod
    def read(cls, path: Path) -> "VectorIndex":
        return cls(_faiss().read_index(str(path)))

    def write(self, path: Path) -> None:
        """Write to ``path`` atomically: a crash leaves the old file or the new one, never half of one."""
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
        os.close(fd)
        try:
            _faiss().write_index(self._index, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def vectors(self, ids: Sequence[int]) -> "np.ndarray":
        """The stored vectors of ``ids``, shape ``(len(ids), dim)``."""
        import numpy as np

        if not len(ids):
            return np.zeros((0, self.dim), np.float32)
        return self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64))

    def search(self, query_vectors: "np.ndarray", k: int) -> tuple["np.ndarray", "np.ndarray"]:
        """The ``k`` nearest rows per query: ``(scores, ids)``, each of shape ``(queries, min(k, ntotal))``."""
        import numpy as np

        queries = np.ascontiguousarray(np.atleast_2d(query_vectors), dtype=np.float32)
        k = min(k, self.ntotal)
        if k <= 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        return self._index.search(queries, k)


def cache_digest(key: str, texts: Sequence[str], embedder_name: str) -> str:
    """Digest naming a cache file: the caller's key, the embedder and the texts themselves."""
    h = hashlib.sha256()
    for part in (key, embedder_name, str(len(texts)), *texts):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:24]


def load_or_build(cache_dir: Path, key: str, texts: Sequence[str], embedder: "Embedder", *,
                  prefix: str = "index") -> VectorIndex:
    """The index of ``texts``, from ``cache_dir`` when a file for this content exists, else built and saved.

    ``key`` identifies the content (pass ``kb.content_hash``); ``prefix`` names the corpus,
    and files of the same prefix with other digests are deleted so the cache stays bounded.
    """
    if not texts:
        return VectorIndex.build(_empty())
    cache_dir = Path(cache_dir)
    path = cache_dir / f"{prefix}-{cache_digest(key, texts, embedder.name)}.faiss"
    if path.is_file():
        try:
            index = VectorIndex.read(path)
            if index.ntotal == len(texts):
                return index
        except (RuntimeError, OSError, ValueError, MemoryError):
            pass  # a corrupt or truncated cache file is rebuilt below
    index = VectorIndex.build(embedder.embed(texts))
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        index.write(path)
        _remove_stale(cache_dir, prefix, keep=path.name)
    except (OSError, RuntimeError):
        pass  # an unwritable cache only costs a rebuild next time
    return index


def _remove_stale(cache_dir: Path, prefix: str, keep: str) -> None:
    pattern = re.compile(re.escape(prefix) + r"-[0-9a-f]{24}\.faiss")
    for entry in cache_dir.iterdir():
        if entry.name != keep and pattern.fullmatch(entry.name):
            try:
                entry.unlink()
            except OSError:
                pass  # another process may have removed it first


def _empty() -> "np.ndarray":
    import numpy as np

    return np.zeros((0, 1), dtype=np.float32)
