"""Which schema of a warehouse a question is about: schemas ranked by how much of the question a group
of their tables that belong together explains, and the tables taken from them.

A question is almost always about one schema. A warehouse holds the same tables many times: staging and
archive copies (marked by their names), a team's copies of tables from unrelated places, near-synonym
look-alikes, source systems sharing key columns. :func:`rank_schemas` ranks the schemas holding evident
tables; :func:`choose_tables` takes the best one's tables, and another schema's only for a word the best
one does not hold.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Protocol

from ..data.schema import Table
from .embed import words

MIN_EVIDENCE = 0.15
RELATIVE_EVIDENCE = 0.25  # in a big schema, a linked table has at least this share of the best one's evidence
MEMBER_EVIDENCE = MIN_EVIDENCE / 2  # in a schema that competes, a table with this much evidence counts
NEAR_COVERAGE = 0.7  # schemas within this share of the best coverage are near: a copy of one loses to the original

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


def original_of(schema: str) -> str | None:
    """The schema that a schema marked as a copy copies, by its name (``stg_yelp``, ``yelp_backup_2023``:
    ``yelp``); None for a schema without marks.

    >>> original_of("stg_yelp"), original_of("yelp_backup_2023_2"), original_of("yelp"), original_of("sandbox_ann")
    ('yelp', 'yelp', None, 'ann')
    """
    parts = words(schema)
    kept = [w for w in parts if w not in VARIANT_WORDS and not _MARK.fullmatch(w)]
    return "_".join(kept) if kept and len(kept) < len(parts) else None


class Catalog(Protocol):
    """What ranking needs of :class:`~vanna_magic.core.knowledge.linking.LinkSchema`."""

    tables: list[Table]
    schemas: list[str]
    copied: list[str | None]
    layered: set[str]

    def family(self, i: int) -> frozenset[int]: ...

    def home_share(self, i: int) -> float: ...


def choose_tables(schema: "Catalog", evident: list[int], evidence: dict[int, float],
                  matched: dict[int, dict[str, float]], bonus: dict[int, float], by_score) -> list[int]:
    """The evident tables with those of the schema that explains the question best first (see
    :func:`rank_schemas`): the best schema's tables that are evident within it are all taken; a table
    of another schema stays only when it is evident in the catalog, adds a stem (or a bonus) and its
    name is not taken yet."""
    ranking, members = rank_schemas(schema, evident, evidence, matched, bonus)
    top = ranking[0].schema
    rank = {row.schema: r for r, row in enumerate(ranking)}
    # For a stem only another schema's table names, the best schema's own table that has it (as a column).
    at_home: dict[str, int] = {}
    for i, found in matched.items():
        if schema.schemas[i] == top:
            for term, weight in found.items():
                if term not in at_home or weight > matched[at_home[term]][term]:
                    at_home[term] = i
    chosen, names, covered = [], set(), set()
    candidates = set(evident) | set(members[top])
    for i in sorted(candidates, key=lambda i: (rank[schema.schemas[i]], *by_score(i))):
        name = schema.tables[i].name.lower()
        adds = set(matched.get(i, {})) - covered
        if rank[schema.schemas[i]] > 0:
            own = [at_home[term] for term in sorted(adds) if term in at_home]
            chosen += [j for j in dict.fromkeys(own) if j not in chosen]
            names.update(schema.tables[j].name.lower() for j in own)
            covered |= adds & at_home.keys()
            adds -= at_home.keys()
        if name in names or (rank[schema.schemas[i]] > 0 and not adds and not bonus.get(i)):
            continue
        chosen.append(i)
        names.add(name)
        covered |= adds
    return chosen


class SchemaRank(NamedTuple):
    schema: str
    near: bool  # within NEAR_COVERAGE of the best coverage
    marks: int  # marks of a copy in the schema's name
    coverage: float
    layered: bool  # staging, archive or backup copies of it are named after it
    group: int  # how many of its matching tables the anchor's group holds
    home: float  # the share of its schema's tables that the anchor joins (near schemas only)
    anchor: int  # the table whose group gives the coverage


def rank_schemas(schema: "Catalog", evident: list[int], evidence: dict[int, float],
                 matched: dict[int, dict[str, float]], bonus: dict[int, float]
                 ) -> tuple[list[SchemaRank], dict[str, list[int]]]:
    """The schemas holding an evident table, best first, and each one's tables evident within it.

    A schema competes with its tables that are evident against its own best table (not the whole
    catalog's). It explains the question by a group of them that belong together: its coverage is the
    best, over its tables, of the sum over the question's stems of the best weight that the table or a
    table related to it (joined directly or through a junction table) gives the stem, plus the group's
    best knowledge-base bonus. A schema that gathers unrelated copies (a team's or a sandbox's) thus
    gains nothing from a stray word one of its unrelated tables names. Among the schemas near the best
    coverage, those without marks of a copy come first (a table named after another schema's table is
    such a mark); then coverage decides, then whether staging or archive copies are named after the
    schema (they copy the original), then how much of its schema the anchor joins and is held together
    with (a copied table is seldom at home where it was copied to), then the group's size, then the name.
    """
    competing = {schema.schemas[i] for i in evident}
    members: dict[str, list[int]] = {}
    for i, value in evidence.items():
        if value >= MEMBER_EVIDENCE and schema.schemas[i] in competing:
            members.setdefault(schema.schemas[i], []).append(i)
    for s, tables in members.items():
        top = max(evidence[i] for i in tables)
        members[s] = [i for i in tables if evidence[i] >= RELATIVE_EVIDENCE * top]
    coverage: dict[str, tuple[float, int]] = {}
    anchor: dict[str, int] = {}
    copies: dict[str, bool] = {}
    for s, tables in members.items():
        seen: set[tuple[int, ...]] = set()
        for i in tables:
            family = schema.family(i)
            group = tuple(j for j in tables if j in family)
            if group in seen:  # the same group from another of its tables
                continue
            seen.add(group)
            best: dict[str, float] = {}
            for j in group:
                for term, weight in [*matched.get(j, {}).items(), ("", bonus.get(j, 0.0))]:
                    best[term] = max(best.get(term, 0.0), weight)
            value = (round(sum(best.values()), 6), len(group))
            if value > coverage.get(s, (-1.0, 0)):
                coverage[s], anchor[s] = value, i
                copies[s] = any(schema.copied[j] is not None for j in group)
    most = max(value for value, _ in coverage.values())
    rows = []
    for s, (value, size) in coverage.items():
        near = value >= NEAR_COVERAGE * most  # a stray word does not decide
        rows.append(SchemaRank(s, near, variant_rank(s, "") + copies[s], value, s.lower() in schema.layered, size,
                               schema.home_share(anchor[s]) if near else 0.0, anchor[s]))
    rows.sort(key=lambda r: (not r.near, r.marks, -r.coverage, not r.layered, -r.home, -r.group, r.schema))
    return rows, members
