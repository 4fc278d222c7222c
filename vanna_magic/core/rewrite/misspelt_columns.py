"""A column name one typo away from the table's own: see :func:`misspelt_columns`."""

from __future__ import annotations

import re

from ..query import ScopeView

_DIGITS = re.compile(r"\d+")


def close_spelling(written: str, names: "set[str]") -> str | None:
    """The one name of ``names`` that ``written`` misspells, or None: the same letters but for underscores,
    case and a plural ``s``, or, for names of five letters or more, one letter added, dropped, changed or two
    swapped (two for names of ten or more), never in a number (``sales_2022`` is not ``sales_2021``: another
    year, not a typo). Several names that close: None (which one was meant is unknown).

    >>> close_spelling("lattitude", {"latitude", "longitude"}), close_spelling("reviewcount", {"review_count"})
    ('latitude', 'review_count')
    >>> close_spelling("population_density", {"population", "density"}) is None
    True
    >>> close_spelling("sales_2022", {"sales_2021", "region"}) is None
    True
    """
    key = _plain(written)
    same = [name for name in names if _plain(name) == key]
    if same:
        return same[0] if len(same) == 1 else None
    if len(key) < 5:
        return None
    allowed = 2 if len(key) >= 10 else 1
    numbers = _DIGITS.findall(key)
    close = [name for name in names if abs(len(_plain(name)) - len(key)) <= allowed
             and _DIGITS.findall(_plain(name)) == numbers and _distance(key, _plain(name), allowed) <= allowed]
    return close[0] if len(close) == 1 else None


def misspelt_columns(view: ScopeView) -> list[str]:
    """``s.lattitude`` where the table ``s`` reads has ``latitude``: a column its table does not have, one
    typo (or an underscore, or a plural ``s``) away from exactly one column it has, is read as that column.
    Only for a qualified column whose table's columns are known, and only when no other column of the
    table is as close; anything further goes to the database and the repair loop (which names the
    table's columns).

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl("CREATE TABLE business (business_id TEXT, review_count INT, latitude REAL)")
    >>> sql, notes = rewrite("SELECT b.reviews_count FROM business AS b WHERE b.lattitude > 40", "sqlite", tables,
    ...                      rules=(misspelt_columns,))
    >>> print(sql)
    SELECT b.review_count FROM business AS b WHERE b.latitude > 40
    >>> print(notes[0])
    column b.reviews_count read as b.review_count: business has no column reviews_count
    """
    from sqlglot import exp

    scope, known = view.scope, view.known
    notes: list[str] = []
    for column in scope.columns:
        qualifier, name = column.table.lower(), column.name.lower()
        alias, have = known.get(qualifier, (None, None))
        if not qualifier or name == "*" or alias is None or have is None or name in have:
            continue
        real = close_spelling(name, have)
        if real is None:
            continue
        source = scope.sources[alias]
        table = source.name if isinstance(source, exp.Table) else alias
        notes.append(f"column {column.table}.{column.name} read as {column.table}.{real}: {table} has no column "
                     f"{column.name}")
        column.set("this", exp.to_identifier(real))
    return notes


def _plain(name: str) -> str:
    text = name.lower().replace("_", "")
    return text[:-1] if text.endswith("s") and len(text) > 3 else text


def _distance(a: str, b: str, cap: int) -> int:
    """Optimal string alignment distance of ``a`` and ``b`` (cap + 1 once it passes ``cap``)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > cap:
            return cap + 1
        previous2, previous = previous, current
    return previous[-1]
