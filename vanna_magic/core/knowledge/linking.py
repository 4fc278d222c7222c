"""Schema linking: which of a catalog's tables a question needs, from its words, its vector and the
knowledge base's hints.

In a warehouse of many schemas the same table exists many times (``yelp.review``,
``stg_yelp.review``, ``sandbox_lena.review``, ``marketing.yelp_review``). Linking first ranks the schemas
by how much of the question a group of their tables that belong together explains
(:mod:`~vanna_magic.core.knowledge.schema_rank`), then takes the evident tables of the best one; a
table of another schema is taken only when it explains a word the chosen schema does not hold, and
never under a name already taken. Tables belong together when they join (a shared key column, a
foreign key, or a junction table between them) and the warehouse holds them together wherever it
holds them. Staging, archive, sandbox and backup copies (``_old``, ``_bak``, ``stg_``...) and tables
named after another schema's table lose only ties.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

from ..data.schema import Table
from .embed import content_stems, stem, words
from .schema_rank import MIN_EVIDENCE, RELATIVE_EVIDENCE, choose_tables, original_of, variant_rank

if TYPE_CHECKING:
    from .base import Document
    from .index import VectorIndex

SMALL_SCHEMA = 12  # up to this many tables, every table goes to the prompt, ranked
MAX_LINKED = 10
MAX_NEIGHBOURS = 10
TOGETHER = 0.3  # two tables belong together when this share of the schemas holding the rarer also hold the other
COSINE_POOL = 256  # above this many tables, cosine is exact for the evident tables and this many nearest

# Question words that name no table or column, however many columns contain them ("tracking_number").
NOT_SCHEMA = frozenset("number count many much per each every all total top most least".split())


def compounds(text: str) -> set[str]:
    """Stems of adjacent word pairs written as one, as schemas write them ("check-ins" -> ``checkin``).

    >>> sorted(compounds("check-ins by key phrase"))
    ['bykey', 'checkin', 'insby', 'keyphrase']
    """
    found = words(text)
    return {stem(a + b) for a, b in zip(found, found[1:])}


def terms_of(text: str) -> set[str]:
    """The stems linking matches, stemmed to a fixed point so that "ratings" and "rating" meet.

    >>> sorted(terms_of("ratings_rating"))
    ['rat']
    """
    return {normal(s) for s in content_stems(text)}


def normal(term: str) -> str:
    """``term`` stemmed until it no longer changes (``stem`` strips one ending: "ratings" -> "rating")."""
    shorter = stem(term)
    while shorter != term:
        term, shorter = shorter, stem(shorter)
    return term


def copied_from(table: Table, lookup: dict[str, int]) -> str | None:
    """The name of the table that ``table`` copies when its name qualifies another schema's table
    (``marketing.sales_orders`` copies ``sales.orders``): the qualifier names where it came from, not
    what it holds."""
    parts = table.name.lower().split("_")
    for cut in range(1, len(parts)):
        source, rest = "_".join(parts[:cut]), "_".join(parts[cut:])
        if source != (table.schema or "").lower() and f"{source}.{rest}" in lookup:
            return rest
    return None


_KEY_SUFFIXES = ("id", "code", "key", "name", "no", "number")


def key_like(name: str) -> bool:
    """Whether a column's name looks like a join key (``business_id``, ``city_name``, ``paperid``)."""
    parts = words(name)
    return (len(parts) > 1 and parts[-1] in _KEY_SUFFIXES) or (len(name) > 2 and name.lower().endswith("id"))


def join_columns(tables: Sequence[Table]) -> list[set[str]]:
    """Per table, the names of its columns that look like join keys and that another table of its schema shares.

    A join key is a compound name ending in a key word (``business_id``, ``city_name``), or a name
    ending in "id" (``paperid``, ``aid``); ``name``, ``id`` or ``year`` alone join nothing.
    """
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
        self.schemas = [t.schema or "" for t in self.tables]
        self.copied = [copied_from(t, self.lookup) for t in self.tables]
        name_parts = [terms_of(copied or t.name) for t, copied in zip(self.tables, self.copied)]
        column_parts = [{s for c in t.columns for s in terms_of(c.name)} for t in self.tables]
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
        self.name_terms = [frozenset(t for t in names if t in self.idf) for names in name_parts]
        self.many_schemas = len(set(self.schemas)) > 1
        self.variant = [variant_rank(t.schema, t.name) + (copied is not None)
                        for t, copied in zip(self.tables, self.copied)]
        self.references: list[set[int]] = [set() for _ in self.tables]  # outgoing foreign keys
        self.referenced_by: list[set[int]] = [set() for _ in self.tables]
        for i, table in enumerate(self.tables):
            for fk in table.foreign_keys:
                j = self.find(fk.ref_table, table.schema)
                if j is not None and j != i:
                    self.references[i].add(j)
                    self.referenced_by[j].add(i)
        self.joins = join_columns(self.tables)
        # A junction table holds keys only (``writes``: author id, paper id): it relates the tables it joins.
        self.junction = [len(joins) >= 2 and all(key_like(c.name) for c in t.columns)
                         for t, joins in zip(self.tables, self.joins)]
        self.by_schema: dict[str, list[int]] = {}
        for i, schema in enumerate(self.schemas):
            self.by_schema.setdefault(schema, []).append(i)
        # The schemas that staging, archive or backup copies are named after (``yelp`` of ``stg_yelp``)
        # and mostly hold the tables of.
        held = {s.lower(): {self.tables[i].name.lower() for i in members} for s, members in self.by_schema.items()}
        self.layered = {original for copy, names in held.items() if (original := original_of(copy)) in held
                        and len(names & held[original]) * 2 >= len(names)}
        # A document about ``sales.orders`` is that table's alone; one about ``orders``, of every table so named.
        self.documents = [documents.get(f"{t.schema}.{t.name}".lower()) or documents.get(t.name.lower())
                          for t in self.tables]
        self.descriptors = [describe(t, d) for t, d in zip(self.tables, self.documents)]
        self.index: "VectorIndex | None" = None
        self._neighbourhoods: dict[int, frozenset[int]] = {}
        self._families: dict[int, frozenset[int]] = {}  # the tables related to each (see related)
        # Which schemas hold a table of each name (a copy under its original's name).
        self.holders: dict[str, set[str]] = {}
        for t, copied, s in zip(self.tables, self.copied, self.schemas):
            self.holders.setdefault((copied or t.name).lower(), set()).add(s)

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

    def joined(self, i: int, j: int) -> bool:
        """Whether tables ``i`` and ``j`` of one schema share a join column or a foreign key."""
        return bool(self.joins[i] & self.joins[j]) or j in self.references[i] or j in self.referenced_by[i]

    def neighbourhood(self, i: int) -> frozenset[int]:
        """The tables of ``i``'s schema that it joins (computed once per table)."""
        found = self._neighbourhoods.get(i)
        if found is None:
            found = self._neighbourhoods[i] = frozenset(
                j for j in self.by_schema[self.schemas[i]] if j != i and self.joined(i, j))
        return found

    def related(self, i: int, j: int) -> bool:
        """Whether ``j`` joins ``i`` directly or through a junction table of their schema (``writes``
        between ``author`` and ``paper``), and the two are held together wherever they are held."""
        return j in self.family(i)

    def family(self, i: int) -> frozenset[int]:
        """``i`` and the tables related to it (:meth:`related`), computed once per table."""
        found = self._families.get(i)
        if found is None:
            near = self.neighbourhood(i)
            reached = set(near).union(*(self.neighbourhood(k) for k in near if self.junction[k]))
            found = self._families[i] = frozenset(k for k in reached if self.together(i, k)) | {i}
        return found

    def together(self, i: int, j: int) -> bool:
        """Whether the warehouse keeps ``i`` and ``j`` together: of the schemas holding a table named as
        the rarer one, at least ``TOGETHER`` hold one named as the other too. Tables designed together
        are copied together (to staging, to an archive); a team's schema joins tables copied from
        unrelated places."""
        a = self.holders[(self.copied[i] or self.tables[i].name).lower()]
        b = self.holders[(self.copied[j] or self.tables[j].name).lower()]
        return len(a & b) >= TOGETHER * min(len(a), len(b))

    def home_share(self, i: int) -> float:
        """The share of its schema's other tables that table ``i`` joins and is held together with:
        near 1 where it was designed, low in a schema that gathers copies of unrelated tables."""
        others = len(self.by_schema[self.schemas[i]]) - 1
        return sum(1 for j in self.neighbourhood(i) if self.together(i, j)) / others if others else 0.0

    def matches(self, terms: set[str]) -> dict[int, dict[str, float]]:
        """Per table with any, the question stems its name (idf) or columns (0.3 idf) hold, with their weight."""
        found: dict[int, dict[str, float]] = {}
        for term in terms:
            for i, weight in self.postings.get(term, ()):
                found.setdefault(i, {})[term] = weight
        # A name the question explains only in part is about something else ("restaurant_inspection",
        # "city_stats" for "restaurants in each city"): its name's stems count for the share explained.
        for i, weights in found.items():
            names = self.name_terms[i]
            hit = names & weights.keys()
            if hit and len(hit) < len(names):
                for term in hit:
                    weights[term] *= len(hit) / len(names)
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
    matched = schema.matches({normal(t) for t in terms} - NOT_SCHEMA)
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
        evident = choose_tables(schema, evident, evidence, matched, bonus, by_score)
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
