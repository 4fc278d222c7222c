"""Schema linking: which of a catalog's tables a question needs, from its words, its vector and the
knowledge base's hints.

In a warehouse of many schemas the same table exists many times (``yelp.review``,
``stg_yelp.review``, ``sandbox_lena.review``, ``marketing.review``). Linking first ranks the schemas by how
much of the question their tables explain together, then takes the evident tables of the best one; a
table of another schema is taken only when it explains a word the chosen tables do not, and never
under a name already taken. Staging, archive, sandbox and backup copies (``_old``, ``_bak``,
``stg_``...) lose only ties.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Sequence

from ..data.schema import Table
from .embed import content_stems, stem, words

if TYPE_CHECKING:
    from .base import Document
    from .index import VectorIndex

SMALL_SCHEMA = 12  # up to this many tables, every table goes to the prompt, ranked
MAX_LINKED = 10
MIN_EVIDENCE = 0.15
RELATIVE_EVIDENCE = 0.25  # in a big schema, a linked table has at least this share of the best one's evidence
MAX_NEIGHBOURS = 10
NEAR_COVERAGE = 0.7  # schemas within this share of the best coverage are near: a copy of one loses to the original
COSINE_POOL = 256  # above this many tables, cosine is exact for the evident tables and this many nearest

# Question words that name no table or column, however many columns contain them ("tracking_number").
NOT_SCHEMA = frozenset("number count many much per each every all total top most least".split())
# Words that mark a schema or table as a copy of another: they lose ties against the original.
VARIANT_WORDS = frozenset(
    "stg staging raw tmp temp test dev qa sandbox scratch archive archived backup bak old legacy snapshot "
    "deprecated copy".split())
_MARK = re.compile(r"(19|20)\d\d|v\d+|\d")  # a year, a version or a number ending a name


def variant_rank(schema: str | None, name: str) -> int:
    """How many marks of a copy a table carries: in its schema's name, and at either end of its own.

    >>> variant_rank("yelp", "review"), variant_rank("stg_yelp", "review"), variant_rank("yelp", "review_bak")
    (0, 1, 1)
    """
    in_schema = any(w in VARIANT_WORDS for w in words(schema or ""))
    parts = words(name)
    in_name = bool(parts) and len(parts) > 1 and (
        parts[0] in VARIANT_WORDS or parts[-1] in VARIANT_WORDS or bool(_MARK.fullmatch(parts[-1])))
    return int(in_schema) + int(in_name)


def compounds(text: str) -> set[str]:
    """Stems of adjacent word pairs written as one, as schemas write them ("check-ins" -> ``checkin``).

    >>> sorted(compounds("check-ins by key phrase"))
    ['bykey', 'checkin', 'insby', 'keyphrase']
    """
    found = words(text)
    return {stem(a + b) for a, b in zip(found, found[1:])}


_KEY_SUFFIXES = ("id", "code", "key", "name", "no", "number")


def join_columns(tables: Sequence[Table]) -> list[set[str]]:
    """Per table, the names of its columns that look like join keys and that another table of its schema shares.

    A join key is a compound name ending in a key word (``business_id``, ``city_name``), or a name
    ending in "id" (``paperid``, ``aid``); ``name``, ``id`` or ``year`` alone join nothing.
    """
    def key_like(name: str) -> bool:
        parts = words(name)
        return (len(parts) > 1 and parts[-1] in _KEY_SUFFIXES) or (len(name) > 2 and name.lower().endswith("id"))

    names = [{c.name.lower() for c in t.columns if key_like(c.name)} for t in tables]
    seen: dict[tuple[str | None, str], int] = {}
    for table, columns in zip(tables, names):
        for name in columns:
            seen[(table.schema, name)] = seen.get((table.schema, name), 0) + 1
    return [{name for name in columns if seen[(table.schema, name)] > 1} for table, columns in zip(tables, names)]


def describe(table: Table, document: "Document | None") -> str:
    parts = [table.name, " ".join(words(table.name)), "columns:", ", ".join(c.name for c in table.columns)]
    parts += [text for text in (table.comment, *(c.comment for c in table.columns)) if text]
    if document is not None:
        parts.append(document.text[:600])  # the opening of a doc says what the table is; the rest dilutes
    return " ".join(parts)


class LinkSchema:
    """What schema linking needs about one catalog, computed once per set of tables."""

    def __init__(self, tables: Sequence[Table], documents: "dict[str, Document]"):
        self.tables = list(tables)
        self.lookup: dict[str, int] = {}
        for i, table in enumerate(self.tables):
            self.lookup.setdefault(table.name.lower(), i)
            if table.schema:
                self.lookup.setdefault(f"{table.schema}.{table.name}".lower(), i)
        name_parts = [set(content_stems(t.name)) for t in self.tables]
        column_parts = [{s for c in t.columns for s in content_stems(c.name)} for t in self.tables]
        df: dict[str, int] = {}
        for names, columns in zip(name_parts, column_parts):
            for term in names | columns:
                df[term] = df.get(term, 0) + 1
        n = len(self.tables)
        # A word every table has ("name" in city_name, street_name, name) says nothing about which table.
        self.idf = {term: math.log(1 + n / count) / math.log(1 + n) for term, count in df.items()
                    if count < n or n == 1}
        # term -> [(table, weight)]: a table's name counts in full, its columns for 0.3.
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for i, (names, columns) in enumerate(zip(name_parts, column_parts)):
            for term in names | columns:
                if term in self.idf:
                    self.postings.setdefault(term, []).append((i, self.idf[term] * (1.0 if term in names else 0.3)))
        self.schemas = [t.schema or "" for t in self.tables]
        self.many_schemas = len(set(self.schemas)) > 1
        self.variant = [variant_rank(t.schema, t.name) for t in self.tables]
        self.references: list[set[int]] = [set() for _ in self.tables]  # outgoing foreign keys
        self.referenced_by: list[set[int]] = [set() for _ in self.tables]
        for i, table in enumerate(self.tables):
            for fk in table.foreign_keys:
                j = self.find(fk.ref_table, table.schema)
                if j is not None and j != i:
                    self.references[i].add(j)
                    self.referenced_by[j].add(i)
        self.joins = join_columns(self.tables)
        self.by_schema: dict[str, list[int]] = {}
        for i, schema in enumerate(self.schemas):
            self.by_schema.setdefault(schema, []).append(i)
        # A document about ``sales.orders`` is that table's alone; one about ``orders``, of every table so named.
        self.documents = [documents.get(f"{t.schema}.{t.name}".lower()) or documents.get(t.name.lower())
                          for t in self.tables]
        self.descriptors = [describe(t, d) for t, d in zip(self.tables, self.documents)]
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

    def matches(self, terms: set[str]) -> dict[int, dict[str, float]]:
        """Per table with any, the question stems its name (idf) or columns (0.3 idf) hold, with their weight."""
        found: dict[int, dict[str, float]] = {}
        for term in terms:
            for i, weight in self.postings.get(term, ()):
                found.setdefault(i, {})[term] = weight
        return found

    def cosines(self, vector, evident: Sequence[int]) -> dict[int, float]:
        """Cosine of the question with every table (small catalogs), or the nearest and the ``evident`` ones."""
        n = len(self.tables)
        if self.index is None or n == 0:
            return {}
        scores, ids = self.index.search(vector, n if n <= COSINE_POOL else COSINE_POOL)
        found = {int(i): max(float(s), 0.0) for s, i in zip(scores[0], ids[0]) if i >= 0}
        missing = [i for i in evident if i not in found]
        if missing:
            found.update({i: max(float(s), 0.0) for i, s in zip(missing, self.index.vectors(missing) @ vector[0])})
        return found


def link(schema: LinkSchema, vector, terms: set[str], bonus: dict[int, float]) -> tuple[list[int], list[int]]:
    """(every table returned, ranked; the linked tables among them) for a question's stems and vector.

    ``bonus``: evidence from the knowledge base (tables its close examples and definitions read).
    """
    n = len(schema.tables)
    if n == 0:
        return [], []
    matched = schema.matches(terms - NOT_SCHEMA)
    evidence = {i: sum(found.values()) for i, found in matched.items()}
    for i, extra in bonus.items():
        evidence[i] = evidence.get(i, 0.0) + extra
    # Linked: evidence beyond vector similarity; with idf, a column name shared by many tables
    # ("name", "created_at") stays below the bar. In a big schema so does a table far behind the best one.
    best = max(evidence.values(), default=0.0)
    bar = MIN_EVIDENCE if n <= SMALL_SCHEMA else max(MIN_EVIDENCE, RELATIVE_EVIDENCE * best)
    evident_set = [i for i, e in evidence.items() if e >= bar]
    cosine = schema.cosines(vector, evident_set)
    score = {i: evidence.get(i, 0.0) + cosine.get(i, 0.0) for i in set(cosine) | set(evidence)}

    def by_score(i: int) -> tuple:
        return -score.get(i, 0.0), schema.variant[i], schema.tables[i].name, schema.schemas[i]

    if n <= SMALL_SCHEMA:
        order = sorted(range(n), key=by_score)
        evident = [i for i in order if evidence.get(i, 0.0) >= bar][:MAX_LINKED]
        linked = evident or order[:5]
        if not evident:  # nothing in the question points anywhere: the whole (small) schema
            return order, linked
        # The linked tables, the tables their foreign keys reach, and the tables that join
        # two of them (``writes`` between ``author`` and ``paper``): the rest only costs tokens.
        bridges = [j for j in order if j not in linked and (
            schema.references[j] & set(linked) or schema.referenced_by[j] & set(linked)
            or schema.bridges(j, linked))]
        return [i for i in order if i in linked or i in bridges], linked
    evident = sorted(evident_set, key=by_score)
    if schema.many_schemas and evident:
        evident = _one_schema_first(schema, evident, matched, bonus, by_score)
    linked = evident[:MAX_LINKED] or sorted(cosine, key=by_score)[:5]
    neighbours: list[int] = []
    for i in linked:
        neighbours += [j for j in schema.references[i] if j not in linked and j not in neighbours]
    # A hub table may be referenced by hundreds of tables: keep the best-scoring ones.
    incoming = {j for i in linked for j in schema.referenced_by[i]} - set(linked) - set(neighbours)
    neighbours += sorted(incoming, key=by_score)
    neighbours = sorted(neighbours[:MAX_NEIGHBOURS], key=by_score)
    # Bridges join linked tables of one schema: candidates are the tables of the linked tables' schemas.
    near = sorted({j for i in linked for j in schema.by_schema[schema.schemas[i]]}, key=by_score)
    bridges = [j for j in near if j not in linked and j not in neighbours and schema.bridges(j, linked)]
    return linked + neighbours + bridges[:MAX_NEIGHBOURS], linked


def _one_schema_first(schema: LinkSchema, evident: list[int], matched: dict[int, dict[str, float]],
                      bonus: dict[int, float], by_score) -> list[int]:
    """The evident tables with those of the schema that explains the question best first.

    A schema's coverage is the sum, over the question's stems, of the best weight any of its tables
    gives the stem, plus its best knowledge-base bonus. Among the schemas near the best coverage, those
    without marks of a copy come first (a sandbox holding several databases' copies explains a stray word
    more); then coverage decides, then how many tables the schema's best table joins (a copied table is
    seldom at home where it was copied to).
    A table of another schema stays only when it adds a stem (or a bonus) and its name is not taken yet.
    """
    per_schema: dict[str, dict[str, float]] = {}
    top: dict[str, int] = {}  # the best table per schema
    for i in evident:
        top.setdefault(schema.schemas[i], i)
        best = per_schema.setdefault(schema.schemas[i], {})
        for term, weight in [*matched.get(i, {}).items(), ("", bonus.get(i, 0.0))]:
            best[term] = max(best.get(term, 0.0), weight)
    coverage = {s: round(sum(found.values()), 6) for s, found in per_schema.items()}
    marks = {s: variant_rank(s, "") for s in per_schema}
    joined = {s: sum(1 for j in schema.by_schema[s] if schema.joins[i] & schema.joins[j]) for s, i in top.items()}
    most = max(coverage.values())
    near = {s: coverage[s] >= NEAR_COVERAGE * most for s in coverage}  # a stray word does not decide
    ranking = sorted(per_schema, key=lambda s: (not near[s], marks[s], -coverage[s], -joined[s], s))
    rank = {s: r for r, s in enumerate(ranking)}
    chosen, names, covered = [], set(), set()
    for i in sorted(evident, key=lambda i: (rank[schema.schemas[i]], *by_score(i))):
        name = schema.tables[i].name.lower()
        adds = set(matched.get(i, {})) - covered
        if name in names or (rank[schema.schemas[i]] > 0 and not adds and not bonus.get(i)):
            continue
        chosen.append(i)
        names.add(name)
        covered |= adds
    return chosen
