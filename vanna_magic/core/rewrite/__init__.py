"""Rules that mend the model's SQL before the firewall checks it, one module each, applied in the order of
:data:`RULES` to every scope of the statement (the query, its subqueries, its CTEs).

Every rule is a function of one :class:`~vanna_magic.core.query.ScopeView` that changes the scope's tree
in place and returns one note per change (the answer shows them). Nothing is guessed: a rule acts only
when exactly one reading of the query is possible from the schema; otherwise the query is left for the
database and the repair loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from ..query import Query, ScopeView
from .fractional_ratios import fractional_ratios
from .group_bare_columns import group_bare_columns
from .identifier_case import identifier_case
from .inline_aliases import inline_aliases
from .join_key_types import join_key_types
from .join_named_tables import join_named_tables
from .join_neighbours import join_neighbours
from .limit_unasked import limit_unasked
from .misplaced_columns import misplaced_columns
from .misspelt_columns import misspelt_columns
from .plain_years import plain_years
from .restore_prefixes import restore_prefixes
from .self_joins import self_joins
from .shared_keys import shared_keys
from .split_prefixes import split_prefixes
from .subquery_key_types import subquery_key_types
from .unfilter_ratios import unfilter_ratios
from .ungroup_aggregates import ungroup_aggregates

if TYPE_CHECKING:
    from ..data.schema import Table

Rule = Callable[[ScopeView], "list[str]"]

RULES: tuple[Rule, ...] = (
    restore_prefixes,
    misplaced_columns,
    misspelt_columns,
    self_joins,
    join_key_types,
    subquery_key_types,
    plain_years,
    join_named_tables,
    join_neighbours,
    split_prefixes,
    shared_keys,
    inline_aliases,
    ungroup_aggregates,
    group_bare_columns,
    unfilter_ratios,
    fractional_ratios,
    limit_unasked,
    identifier_case,  # last: it spells the names the rules before it write as the catalog does
)

# Rules that only spell a name the way the database reads it: they change no meaning, so an answer they
# touched is no less certain (see :func:`meaningful`).
SPELLING = frozenset({"identifier_case"})


def meaningful(notes: Sequence[str], rules: Sequence[str]) -> int:
    """How many of an attempt's rewrite ``notes`` changed what its SQL means (``rules``: each note's rule;
    without them every note counts)."""
    if len(rules) != len(notes):
        return len(notes)
    return sum(1 for rule in rules if rule not in SPELLING)


def select_rules(spec: str) -> tuple[Rule, ...]:
    """The rules a ``rewrite_rules`` setting names, in the order of :data:`RULES`.

    >>> [r.__name__ for r in select_rules("-plain_years")] == [r.__name__ for r in RULES if r is not plain_years]
    True
    >>> select_rules("none"), [r.__name__ for r in select_rules("self_joins, misplaced_columns")]
    ((), ['misplaced_columns', 'self_joins'])
    """
    from ..errors import ConfigurationError

    names = [name.strip() for name in (spec or "all").split(",") if name.strip()]
    by_name = {rule.__name__: rule for rule in RULES}
    unknown = [name.lstrip("-") for name in names if name.lstrip("-") not in by_name | {"all": None, "none": None}]
    if unknown:
        raise ConfigurationError(f"rewrite_rules names no rule {unknown[0]!r}", setting="rewrite_rules",
                                 hint=f"Rules: {', '.join(by_name)}; or all, none, or -name to leave one out.")
    if names in (["all"], []):
        return RULES
    if names == ["none"]:
        return ()
    if all(name.startswith("-") for name in names):
        left_out = {name[1:] for name in names}
        return tuple(rule for rule in RULES if rule.__name__ not in left_out)
    if any(name.startswith("-") or name in ("all", "none") for name in names):
        raise ConfigurationError("rewrite_rules mixes rule names with -name, all or none", setting="rewrite_rules",
                                 hint="Give names to keep ('self_joins,plain_years') or names to leave out "
                                      "('-plain_years').")
    return tuple(rule for rule in RULES if rule.__name__ in names)


def rewrite(sql: str, dialect: str, tables: Sequence["Table"], rules: Sequence[Rule] = RULES,
            question: str = "", fired: list[str] | None = None) -> tuple[str, list[str]]:
    """``sql`` (the answer to ``question``) with every rule applied to every scope, and one note per change.

    SQL that does not parse, or that no rule changes, comes back unchanged with no notes. ``fired``
    receives the name of the rule of each note.
    """
    from ..guard.parsing import sqlglot_dialect

    query = Query.parse(sql, dialect, tables, question)
    if query is None:
        return sql, []
    notes: list[str] = []
    for scope in query.scopes:
        view = ScopeView(query, scope)
        for rule in rules:
            changes = rule(view)
            notes += changes
            if fired is not None:
                fired += [rule.__name__] * len(changes)
    if not notes:
        return sql, []
    return query.tree.sql(dialect=sqlglot_dialect(dialect), pretty="\n" in sql.strip()), notes


__all__ = ["RULES", "Rule", "SPELLING", "meaningful", "rewrite", "select_rules"]
