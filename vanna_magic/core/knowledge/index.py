"""A vector index (FAISS inner product over unit vectors, so scores are cosines) and its disk cache.

Up to :data:`EXACT_LIMIT` vectors the index is exact (``IndexFlatIP``); above, an inverted
file (``IndexIVFFlat``, :data:`NPROBE` lists probed) keeps a query to about a millisecond
at 100,000 vectors.

The cache is derived data: a file is named after a digest of the content it was built
from, written atomically, and rebuilt whenever it is missing, stale or unreadable. Beside
each index a ``.keys.npy`` file lists a digest per text, so a rebuild after an edit (a new
example, a teammate's ``git pull``) embeds only the texts that are new: unchanged vectors are
copied from the previous index, and texts appended at the end are added to it in place.
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


EXACT_LIMIT = 5_000  # a flat scan of 5,000 x 1,024 floats is ~2 ms; beyond, it grows linearly
NPROBE = 16


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
        faiss = _faiss()
        dim = max(matrix.shape[1], 1)
        if len(matrix) <= EXACT_LIMIT:
            index = faiss.IndexFlatIP(dim)
        else:
            # About 2 sqrt(n) lists, trained on a sample of 40 points per list (FAISS asks for 39):
            # k-means over every vector would cost more than the embedding itself.
            lists = min(int(2 * len(matrix) ** 0.5), len(matrix) // 40)
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
            sample = np.random.default_rng(0).choice(len(matrix), min(len(matrix), 40 * lists), replace=False)
            index.train(matrix[np.sort(sample)])
            index.nprobe = NPROBE
        if len(matrix):
            index.add(matrix)
        return cls(index)

    def add(self, vectors: "np.ndarray") -> None:
        """Append ``vectors``; they get the ids following the current ones."""
        import numpy as np

        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    @classmethod
    def read(cls, path: Path) -> "VectorIndex":
        index = _faiss().read_index(str(path))
        if hasattr(index, "nprobe"):
            index.nprobe = NPROBE
        return cls(index)

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
        if hasattr(self._index, "make_direct_map") and self._index.direct_map.type == 0:
            self._index.make_direct_map()  # an inverted file can only look vectors up by id with it
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


def text_keys(texts: Sequence[str], embedder_name: str) -> "np.ndarray":
    """One 64-bit digest per text (and embedder): what identifies a vector across rebuilds."""
    import numpy as np

    keys = [hashlib.blake2b(f"{embedder_name}\0{t}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
            for t in texts]
    return np.frombuffer(b"".join(keys), dtype="<u8").copy()


def load_or_build(cache_dir: Path, key: str, texts: Sequence[str], embedder: "Embedder", *,
                  prefix: str = "index") -> VectorIndex:
    """The index of ``texts``, from ``cache_dir`` when a file for this content exists, else built and saved.

    ``key`` identifies the content (pass ``kb.content_hash``); ``prefix`` names the corpus,
    and files of the same prefix with other digests are deleted so the cache stays bounded.
    A rebuild reuses the vectors of the previous index of the same prefix and embeds only new texts.
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
    keys = text_keys(texts, embedder.name)
    index = _update(cache_dir, prefix, keys, texts, embedder, skip=path)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        index.write(path)
        _write_keys(_keys_path(path), keys)
        _remove_stale(cache_dir, prefix, keep=path.name)
    except (OSError, RuntimeError):
        pass  # an unwritable cache only costs a rebuild next time
    return index


def _update(cache_dir: Path, prefix: str, keys: "np.ndarray", texts: Sequence[str], embedder: "Embedder",
            skip: Path) -> VectorIndex:
    """The index of ``texts``, reusing the newest previous index of ``prefix`` where its texts are unchanged."""
    import numpy as np

    previous = _previous(cache_dir, prefix, skip)
    if previous is not None:
        old, old_keys = previous
        if len(old_keys) <= len(keys) and np.array_equal(old_keys, keys[:len(old_keys)]):
            old.add(embedder.embed(list(texts[len(old_keys):])) if len(keys) > len(old_keys) else _empty())
            return old  # texts only appended: the old index grows in place
        position = {int(k): i for i, k in enumerate(old_keys.tolist())}
        reused = [position.get(int(k), -1) for k in keys.tolist()]
        fresh = [i for i, j in enumerate(reused) if j < 0]
        if len(fresh) < len(texts):
            matrix = np.zeros((len(texts), old.dim), np.float32)
            kept = [i for i, j in enumerate(reused) if j >= 0]
            matrix[kept] = old.vectors([reused[i] for i in kept])
            if fresh:
                matrix[fresh] = embedder.embed([texts[i] for i in fresh])
            return VectorIndex.build(matrix)
    return VectorIndex.build(embedder.embed(texts))


def _previous(cache_dir: Path, prefix: str, skip: Path) -> "tuple[VectorIndex, np.ndarray] | None":
    """The newest readable index of ``prefix`` (other than ``skip``) with its text keys, if any."""
    import numpy as np

    pattern = re.compile(re.escape(prefix) + r"-[0-9a-f]{24}\.faiss")
    try:
        candidates = [p for p in cache_dir.iterdir() if pattern.fullmatch(p.name) and p != skip]
    except OSError:
        return None
    for candidate in sorted(candidates, key=_mtime, reverse=True)[:1]:
        try:
            old_keys = np.load(_keys_path(candidate), allow_pickle=False)
            old = VectorIndex.read(candidate)
        except (RuntimeError, OSError, ValueError, MemoryError):
            return None
        if old_keys.dtype == np.dtype("<u8") and old_keys.ndim == 1 and len(old_keys) == old.ntotal:
            return old, old_keys
    return None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _keys_path(index_path: Path) -> Path:
    return index_path.with_name(index_path.stem + ".keys.npy")


def _write_keys(path: Path, keys: "np.ndarray") -> None:
    import numpy as np

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            np.save(out, keys, allow_pickle=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _remove_stale(cache_dir: Path, prefix: str, keep: str) -> None:
    pattern = re.compile(re.escape(prefix) + r"-[0-9a-f]{24}\.(faiss|keys\.npy)")
    keep_keys = _keys_path(cache_dir / keep).name
    for entry in cache_dir.iterdir():
        if entry.name not in (keep, keep_keys) and pattern.fullmatch(entry.name):
            try:
                entry.unlink()
            except OSError:
                pass  # another process may have removed it first


def _empty() -> "np.ndarray":
    import numpy as np

    return np.zeros((0, 1), dtype=np.float32)


def remove_cached(cache_dir: Path, pattern: "re.Pattern[str]") -> None:
    """Delete the index files in ``cache_dir`` whose names match ``pattern``; a file that cannot be
    removed (a read-only folder) is said in one sentence."""
    from ..errors import VannaError

    if not cache_dir.is_dir():
        return
    for entry in cache_dir.iterdir():
        if pattern.fullmatch(entry.name):
            try:
                entry.unlink(missing_ok=True)
            except OSError as exc:
                raise VannaError(f"cannot rebuild the index: {entry} cannot be removed ({exc.strerror or exc})",
                                 stage="retrieve", hint="Make the cache folder writable, or set cache_dir "
                                 "(VANNA_MAGIC_CACHE_DIR) to one that is.") from exc
