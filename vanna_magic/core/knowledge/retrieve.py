"""For a question: the most relevant examples, the linked tables and the relevant definitions."""

from __future__ import annotations

import hashlib
import math
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..answer import Retrieved, ScoredExample
from ..data.schema import Table
from .base import Definition, Document, Example, KnowledgeBase, question_key, tables_in_sql
from .embed import content_stems, stem, words

if TYPE_CHECKING:
    import numpy as np

    from .embed import Embedder
    from .index import VectorIndex


_CORPORA = ("questions", "descriptions", "definitions", "documents")
SMALL_SCHEMA = 12  # up to this many tables, every table goes to the prompt, ranked
MAX_LINKED = 10
MIN_EVIDENCE = 0.15
RELATIVE_EVIDENCE = 0.25  # in a big schema, a linked table has at least this share of the best one's evidence
MAX_NEIGHBOURS = 10
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


# Question words that name no table or column, however many columns contain them ("tracking_number").
_NOT_SCHEMA = frozenset("number count many much per each every all total top most least".split())


def _meaning_markers(question: str) -> set[str]:
    return {w for w in words(question) if w in _POLAR or any(ch.isdigit() for ch in w)}


class _Schema:
    """What schema linking needs about one catalog, computed once per set of tables."""

    def __init__(self, tables: Sequence[Table], documents: dict[str, Document]):
        self.tables = list(tables)
        self.lookup: dict[str, int] = {}
        for i, table in enumerate(self.tables):
            self.lookup.setdefault(table.name.lower(), i)
            if table.schema:
                self.lookup.setdefault(f"{table.schema}.{table.name}".lower(), i)
        self.name_parts = [set(content_stems(t.name)) for t in self.tables]
        self.column_parts = [{s for c in t.columns for s in content_stems(c.name)} for t in self.tables]
        df: dict[str, int] = {}
        for names, columns in zip(self.name_parts, self.column_parts):
            for term in names | columns:
                df[term] = df.get(term, 0) + 1
        n = len(self.tables)
        # A word every table has ("name" in city_name, street_name, name) says nothing about which table.
        self.idf = {term: math.log(1 + n / count) / math.log(1 + n) for term, count in df.items()
                    if count < n or n == 1}
        self.references: list[set[int]] = [set() for _ in self.tables]  # outgoing foreign keys
        self.referenced_by: list[set[int]] = [set() for _ in self.tables]
        for i, table in enumerate(self.tables):
            for fk in table.foreign_keys:
                j = self.find(fk.ref_table, table.schema)
                if j is not None and j != i:
                    self.references[i].add(j)
                    self.referenced_by[j].add(i)
        self.joins = _join_columns(self.tables)
        self.documents = [documents.get(t.name.lower()) for t in self.tables]
        self.descriptors = [_describe(t, d) for t, d in zip(self.tables, self.documents)]
        self.index: "VectorIndex | None" = None

    def find(self, name: str, schema: str | None = None) -> int | None:
        name = name.lower()
        for candidate in ((f"{schema}.{name}".lower() if schema and "." not in name else None), name,
                          name.rpartition(".")[2]):
            if candidate and candidate in self.lookup:
                return self.lookup[candidate]
        return None

    def bridges(self, j: int, linked: Sequence[int]) -> bool:
        """Whether table ``j`` joins two of the ``linked`` tables that share no join column themselves."""
        reached = [i for i in linked if self.joins[i] & self.joins[j]]
        return any(not self.joins[a] & self.joins[b] for n, a in enumerate(reached) for b in reached[n + 1:])

    def lexical(self, terms: set[str]) -> list[float]:
        """Overlap of question stems with table names (weight 1) and column names (weight 0.3), idf-weighted."""
        return [sum(self.idf.get(t, 0.0) * (1.0 if t in names else 0.3 if t in columns else 0.0) for t in terms)
                for names, columns in zip(self.name_parts, self.column_parts)]


def compounds(text: str) -> set[str]:
    """Stems of adjacent word pairs written as one, as schemas write them ("check-ins" -> ``checkin``).

    >>> sorted(compounds("check-ins by key phrase"))
    ['bykey', 'checkin', 'insby', 'keyphrase']
    """
    found = words(text)
    return {stem(a + b) for a, b in zip(found, found[1:])}


_KEY_SUFFIXES = ("id", "code", "key", "name", "no", "number")


def _join_columns(tables: Sequence[Table]) -> list[set[str]]:
    """Per table, the names of its columns that look like join keys and that another table shares.

    A join key is a compound name ending in a key word (``business_id``, ``city_name``), or a name
    ending in "id" (``paperid``, ``aid``); ``name``, ``id`` or ``year`` alone join nothing.
    """
    def key_like(name: str) -> bool:
        parts = words(name)
        return (len(parts) > 1 and parts[-1] in _KEY_SUFFIXES) or (len(name) > 2 and name.lower().endswith("id"))

    names = [{c.name.lower() for c in t.columns if key_like(c.name)} for t in tables]
    seen: dict[str, int] = {}
    for columns in names:
        for name in columns:
            seen[name] = seen.get(name, 0) + 1
    return [{name for name in columns if seen[name] > 1} for columns in names]


def _describe(table: Table, document: Document | None) -> str:
    parts = [table.name, " ".join(words(table.name)), "columns:", ", ".join(c.name for c in table.columns)]
    parts += [text for text in (table.comment, *(c.comment for c in table.columns)) if text]
    if document is not None:
        parts.append(document.text[:600])  # the opening of a doc says what the table is; the rest dilutes
    return " ".join(parts)


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
        self._schemas: dict[tuple, _Schema] = {}
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

        pattern = re.compile(rf"(?:{'|'.join(_CORPORA)}|tables)-{self._roots_id}-[0-9a-f]{{24}}\.(faiss|keys\.npy)")
        with self._lock:
            self._indexes.clear()
            for schema in self._schemas.values():
                schema.index = None
            if self.cache_dir.is_dir():
                for entry in self.cache_dir.iterdir():
                    if pattern.fullmatch(entry.name):
                        entry.unlink(missing_ok=True)
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

    def _schema(self, tables: Sequence[Table]) -> _Schema:
        from .index import load_or_build

        key = tuple(tables)  # tables are frozen and hashable: names, columns, keys and comments
        with self._lock:
            schema = self._schemas.get(key)
            if schema is None:
                if len(self._schemas) >= 4:
                    self._schemas.clear()
                schema = self._schemas[key] = _Schema(tables, self._documents)
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

    def _link(self, schema: _Schema, vector: "np.ndarray", terms: set[str], examples: list[tuple[int, float]],
              definitions: list[tuple[Definition, float]]) -> tuple[list[int], list[int]]:
        """Schema linking: (every table returned, ranked; the linked tables among them)."""
        n = len(schema.tables)
        if n == 0:
            return [], []
        cosine = [0.0] * n
        if schema.index is not None:
            scores, ids = schema.index.search(vector, n)
            for s, i in zip(scores[0], ids[0]):
                if i >= 0:
                    cosine[int(i)] = max(float(s), 0.0)
        lexical = schema.lexical(terms - _NOT_SCHEMA)
        bonus = [0.0] * n
        for example_index, example_score in examples[:3]:
            for db, name in self._tables_of_example(example_index):
                i = schema.find(name, db)
                if i is not None:
                    bonus[i] = max(bonus[i], 0.6 * example_score)
        for definition, score in definitions:
            for name in definition.tables:
                i = schema.find(name)
                if i is not None:
                    bonus[i] = max(bonus[i], 0.4 * min(score, 1.0))
        score = [lexical[i] + cosine[i] + bonus[i] for i in range(n)]
        order = sorted(range(n), key=lambda i: (-score[i], schema.tables[i].name))
        # Linked: evidence beyond vector similarity; with idf, a column name shared by many
        # tables ("name", "created_at") stays below the bar. In a big schema so does a table far
        # behind the best one (one column word in common with the question).
        bar = MIN_EVIDENCE if n <= SMALL_SCHEMA else max(
            MIN_EVIDENCE, RELATIVE_EVIDENCE * max(lexical[i] + bonus[i] for i in range(n)))
        evident = [i for i in order if lexical[i] + bonus[i] >= bar][:MAX_LINKED]
        linked = evident or order[:5]
        if n <= SMALL_SCHEMA:
            if not evident:  # nothing in the question points anywhere: the whole (small) schema
                return order, linked
            # The linked tables, the tables their foreign keys reach, and the tables that join
            # two of them (``writes`` between ``author`` and ``paper``): the rest only costs tokens.
            bridges = [j for j in order if j not in linked and (
                schema.references[j] & set(linked) or schema.referenced_by[j] & set(linked)
                or schema.bridges(j, linked))]
            return [i for i in order if i in linked or i in bridges], linked
        neighbours: list[int] = []
        for i in linked:
            neighbours += [j for j in schema.references[i] if j not in linked and j not in neighbours]
        # A hub table may be referenced by hundreds of tables: keep the best-scoring ones.
        incoming = {j for i in linked for j in schema.referenced_by[i]} - set(linked) - set(neighbours)
        neighbours += sorted(incoming, key=lambda j: (-score[j], schema.tables[j].name))
        neighbours = sorted(neighbours[:MAX_NEIGHBOURS], key=lambda j: (-score[j], schema.tables[j].name))
        bridges = [j for j in order if j not in linked and j not in neighbours and schema.bridges(j, linked)]
        return linked + neighbours + bridges[:MAX_NEIGHBOURS], linked

    def _relationships(self, schema: _Schema, ranked: list[int], linked: list[int],
                       chosen: list[tuple[Definition, float]]) -> list[Definition]:
        """Relationships joining the returned tables, those touching linked tables first."""
        returned = {schema.tables[i].name.lower() for i in ranked}
        core = {schema.tables[i].name.lower() for i in linked}
        already = {id(d) for d, _ in chosen}
        found = [d for d in self.kb.definitions if d.kind == "relationship" and id(d) not in already
                 and d.tables and {t.rpartition(".")[2].lower() for t in d.tables} <= returned]
        found.sort(key=lambda d: -len({t.rpartition(".")[2].lower() for t in d.tables} & core))
        return found[:MAX_RELATIONSHIPS]

    def _documents_for(self, schema: _Schema, linked: list[int], vector: "np.ndarray") -> list[Document]:
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
