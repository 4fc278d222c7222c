"""For a question: the most relevant examples, the linked tables and the relevant definitions."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..answer import Retrieved, ScoredExample
from ..data.schema import Table
from .base import Definition, Document, Example, KnowledgeBase, question_key, tables_in_sql
from .embed import content_stems, words
from .linking import LinkSchema, compounds, link

if TYPE_CHECKING:
    import numpy as np

    from .embed import Embedder
    from .index import VectorIndex


_CORPORA = ("questions", "descriptions", "definitions", "documents")
MAX_DOCUMENTS = 3
MAX_RELATIONSHIPS = 10
DEFINITION_MIN_SCORE = 0.15
# An example's score is the cosine with its question plus this share of the cosine with its
# description: the description adds recall without diluting the question (as one joined text would).
DESCRIPTION_WEIGHT = 0.25
DOCUMENT_MIN_SCORE = 0.2

# Words that flip a question's meaning while barely moving its vector ("most" vs "least",
# "2023" vs "2024"); a near-identical match must agree on all of them.
_POLAR = frozenset(
    "most least top bottom highest lowest max maximum min minimum first last best worst largest smallest "
    "biggest more less fewer before after not no without ascending descending increase decrease earliest "
    "latest oldest newest above below over under never only".split())


def _meaning_markers(question: str) -> set[str]:
    return {w for w in words(question) if w in _POLAR or any(ch.isdigit() for ch in w)}


class Retriever:
    """Retrieval over one knowledge base; vector indexes are built lazily and cached on disk by content.

    ``held_out``: examples never returned, as if they were not in the knowledge base (see :meth:`holding_out`).
    """

    def __init__(self, kb: KnowledgeBase, embedder: "Embedder", cache_dir: Path):
        self.kb = kb
        self.embedder = embedder
        self.cache_dir = Path(cache_dir)
        self._lock = threading.RLock()
        self._indexes: dict[str, "VectorIndex"] = {}
        self._by_key = {question_key(e.question): e for e in kb.examples}
        self._described = [i for i, e in enumerate(kb.examples) if e.description]
        self._documents: dict[str, Document] = {}
        for doc in kb.documents:
            if doc.table:
                self._documents.setdefault(doc.table.lower(), doc)
        roots = "\0".join(str(Path(r).expanduser().resolve()) for r in kb.roots)
        self._roots_id = hashlib.sha256(roots.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        self._vectors: dict[str, "np.ndarray"] = {}
        self._schemas: dict[tuple, LinkSchema] = {}
        self._example_tables: dict[int, tuple[tuple[str | None, str], ...]] = {}
        self.held_out: frozenset[Example] = frozenset()

    def holding_out(self, example: Example) -> "Retriever":
        """This retriever without ``example``, nor an example asking the same question (a leave-one-out
        evaluation); it shares the indexes and caches."""
        import copy

        view = copy.copy(self)
        same = self._by_key.get(question_key(example.question))
        view.held_out = self.held_out | {example} | ({same} if same is not None else set())
        return view

    def retrieve(self, question: str, tables: Sequence[Table], *, k: int = 5) -> Retrieved:
        """Examples, linked tables (with foreign-key neighbours), definitions and documents for ``question``."""
        vector = self._vector(question)
        terms = set(content_stems(question)) | compounds(question)
        hits = self._score_examples(vector, k)
        examples = [ScoredExample(self.kb.examples[i], s) for i, s in hits]
        definitions = self._definitions(vector, terms, k)
        schema = self._schema(tables)
        ranked, linked = self._link(schema, vector, terms, hits, definitions)
        chosen = [schema.tables[i] for i in ranked]
        definitions = [d for d, _ in definitions] + self._relationships(schema, ranked, linked, definitions)
        return Retrieved(examples=examples, tables=chosen, definitions=definitions,
                         documents=self._documents_for(schema, linked, vector))

    def exact_match(self, question: str, *, threshold: float = 0.92) -> ScoredExample | None:
        """A knowledge-base example asking the same question: equal :func:`question_key`, or cosine >= threshold.

        A cosine match must also agree on numbers and on words like "most"/"least".
        """
        example = self._by_key.get(question_key(question))
        if example is not None and example not in self.held_out:
            return ScoredExample(example, 1.0)
        for match in self._search_examples("questions", self._vector(question), 3):
            if match.score >= threshold and _meaning_markers(match.example.question) == _meaning_markers(question):
                return match
        return None

    def closest_questions(self, question: str, n: int = 3) -> list[ScoredExample]:
        """The ``n`` knowledge-base questions most similar to ``question``, best first."""
        return self._search_examples("questions", self._vector(question), n)

    def warm(self) -> dict[str, int]:
        """Build (or load) the index of every knowledge-base corpus now; the size of each."""
        return {corpus: self._index(corpus).ntotal for corpus in _CORPORA}

    def rebuild(self) -> dict[str, int]:
        """Forget this knowledge base's cached indexes, on disk and in memory, and build them again."""
        import re

        from .index import remove_cached

        pattern = re.compile(rf"(?:{'|'.join(_CORPORA)}|tables)-{self._roots_id}-[0-9a-f]{{24}}\.(faiss|keys\.npy)")
        with self._lock:
            self._indexes.clear()
            for schema in self._schemas.values():
                schema.index = None
            remove_cached(self.cache_dir, pattern)
            return self.warm()

    def _vector(self, text: str) -> "np.ndarray":
        with self._lock:
            vector = self._vectors.get(text)
            if vector is None:
                if len(self._vectors) >= 32:
                    self._vectors.clear()
                vector = self._vectors[text] = self.embedder.embed([text])
            return vector

    def _index(self, corpus: str) -> "VectorIndex":
        from .index import load_or_build

        with self._lock:
            index = self._indexes.get(corpus)
            if index is None:
                texts = {
                    "descriptions": lambda: [self.kb.examples[i].description or "" for i in self._described],
                    "questions": lambda: [e.question for e in self.kb.examples],
                    "definitions": lambda: [d.text for d in self.kb.definitions],
                    "documents": lambda: [f"{d.title} {d.text[:2000]}" for d in self.kb.documents],
                }[corpus]()
                index = self._indexes[corpus] = load_or_build(
                    self.cache_dir, self.kb.content_hash, texts, self.embedder, prefix=f"{corpus}-{self._roots_id}")
            return index

    def _search(self, corpus: str, vector: "np.ndarray", k: int) -> list[tuple[int, float]]:
        if k <= 0:
            return []
        scores, ids = self._index(corpus).search(vector, k)
        return [(int(i), float(s)) for s, i in zip(scores[0], ids[0]) if i >= 0 and s > 0]

    def _score_examples(self, vector: "np.ndarray", k: int) -> list[tuple[int, float]]:
        """Top ``k`` (example index, score): question cosine plus a share of the description cosine."""
        if not self.kb.examples or k <= 0:
            return []
        pool = max(4 * k, 20)
        candidates = {i for i, _ in self._search("questions", vector, pool)}
        if self._described:
            candidates |= {self._described[i] for i, _ in self._search("descriptions", vector, pool)}
        candidates = {i for i in candidates if self.kb.examples[i] not in self.held_out}
        ids = sorted(candidates)
        scores = dict(zip(ids, (self._index("questions").vectors(ids) @ vector[0]).tolist()))
        position = {example: i for i, example in enumerate(self._described)}
        described = [i for i in ids if i in position]
        extra = self._index("descriptions").vectors([position[i] for i in described]) @ vector[0] if described else []
        for i, cosine in zip(described, extra):
            scores[i] = min(1.0, scores[i] + DESCRIPTION_WEIGHT * max(float(cosine), 0.0))
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [(i, s) for i, s in best if s > 0]

    def _search_examples(self, corpus: str, vector: "np.ndarray", k: int) -> list[ScoredExample]:
        if not self.kb.examples:
            return []
        found = self._search(corpus, vector, k + len(self.held_out))
        return [ScoredExample(self.kb.examples[i], s) for i, s in found if self.kb.examples[i] not in self.held_out][:k]

    def _definitions(self, vector: "np.ndarray", terms: set[str], k: int) -> list[tuple[Definition, float]]:
        """Definitions named in the question (all words of the name present) first, then the closest by cosine."""
        definitions = self.kb.definitions
        if not definitions:
            return []
        scored: dict[int, float] = {}
        for i, d in enumerate(definitions):
            name_terms = set(content_stems(d.name))
            if d.kind != "relationship" and name_terms and name_terms <= terms:
                scored[i] = 1.0 + 0.1 * len(name_terms)  # longer names are more specific
        for i, score in self._search("definitions", vector, k):
            if score >= DEFINITION_MIN_SCORE:
                scored.setdefault(i, score)
        best = sorted(scored.items(), key=lambda item: -item[1])[:k + 5]
        return [(definitions[i], score) for i, score in best]

    def _schema(self, tables: Sequence[Table]) -> LinkSchema:
        from .index import load_or_build

        # By identity: hashing 10,000 tables' columns costs more than linking; a cached schema keeps its
        # tables alive, so their ids cannot be reused while it is cached.
        key = tuple(map(id, tables))
        with self._lock:
            schema = self._schemas.get(key)
            if schema is None:
                if len(self._schemas) >= 4:
                    self._schemas.clear()
                schema = self._schemas[key] = LinkSchema(tables, self._documents)
            if schema.index is None and schema.tables:
                schema.index = load_or_build(self.cache_dir, self.kb.content_hash, schema.descriptors,
                                             self.embedder, prefix=f"tables-{self._roots_id}")
            return schema

    def _tables_of_example(self, example_index: int) -> tuple[tuple[str | None, str], ...]:
        """(schema, table) pairs the example's SQL reads, CTE names excluded."""
        with self._lock:
            found = self._example_tables.get(example_index)
            if found is None:
                found = self._example_tables[example_index] = tables_in_sql(self.kb.examples[example_index].sql)
            return found

    def _link(self, schema: LinkSchema, vector: "np.ndarray", terms: set[str], examples: list[tuple[int, float]],
              definitions: list[tuple[Definition, float]]) -> tuple[list[int], list[int]]:
        """Schema linking (:func:`~vanna_magic.core.knowledge.linking.link`) with the knowledge base's hints:
        the tables the closest examples and the definitions read."""
        bonus: dict[int, float] = {}
        for example_index, example_score in examples[:3]:
            for db, name in self._tables_of_example(example_index):
                i = schema.find(name, db)
                if i is not None:
                    bonus[i] = max(bonus.get(i, 0.0), 0.6 * example_score)
        for definition, score in definitions:
            for name in definition.tables:
                i = schema.find(name)
                if i is not None:
                    bonus[i] = max(bonus.get(i, 0.0), 0.4 * min(score, 1.0))
        return link(schema, vector, terms, bonus)

    def _relationships(self, schema: LinkSchema, ranked: list[int], linked: list[int],
                       chosen: list[tuple[Definition, float]]) -> list[Definition]:
        """Relationships joining the returned tables, those touching linked tables first."""
        returned = {schema.tables[i].name.lower() for i in ranked}
        core = {schema.tables[i].name.lower() for i in linked}
        already = {id(d) for d, _ in chosen}
        found = [d for d in self.kb.definitions if d.kind == "relationship" and id(d) not in already
                 and d.tables and {t.rpartition(".")[2].lower() for t in d.tables} <= returned]
        found.sort(key=lambda d: -len({t.rpartition(".")[2].lower() for t in d.tables} & core))
        return found[:MAX_RELATIONSHIPS]

    def _documents_for(self, schema: LinkSchema, linked: list[int], vector: "np.ndarray") -> list[Document]:
        """Docs of the linked tables, then general docs (not about a catalog table) close to the question."""
        found = [schema.documents[i] for i in linked if schema.documents[i] is not None][:MAX_DOCUMENTS]
        if len(found) < MAX_DOCUMENTS and self.kb.documents:
            general = {i for i, d in enumerate(self.kb.documents)
                       if not d.table or schema.find(d.table) is None}
            if general:
                for i, score in self._search("documents", vector, len(self.kb.documents)):
                    if i in general and score >= DOCUMENT_MIN_SCORE and len(found) < MAX_DOCUMENTS:
                        found.append(self.kb.documents[i])
        return found

