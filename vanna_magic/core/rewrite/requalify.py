"""Column references the model put on the wrong table, put back on the only table that has them.

A small model often writes the right column on the wrong alias (``T2.rating`` where ``rating`` is
``T1``'s), names a table that its query aliased (``review.rating`` after ``FROM review AS r``) or a
qualifier that names nothing (``f.round_trip_cost`` with ``FROM fare``). The database then answers
"no such column", and the model, asked to repair, often repeats itself. When exactly one table of
the same query (the same scope) has the column, the reference is unambiguous and is moved there
before the statement runs; anything else is left for the database and the repair loop. Nothing is
guessed: a column is renamed only to put back the table's name the model split off or left out
(below), and a table is added only when the query names it or one of its columns, and one key links it.

>>> from vanna_magic.core.data.schema import Column, Table
>>> tables = [Table("restaurant", (Column("id", "INTEGER"), Column("rating", "REAL"))),
...           Table("location", (Column("restaurant_id", "INTEGER"), Column("city_name", "TEXT")))]
>>> sql = "SELECT T2.city_name, T2.rating FROM restaurant AS T1 JOIN location AS T2 ON T1.id = T2.restaurant_id"
>>> fixed, notes = requalify(sql, "sqlite", tables)
>>> fixed
'SELECT T2.city_name, T1.rating FROM restaurant AS T1 JOIN location AS T2 ON T1.id = T2.restaurant_id'
>>> notes
['column T2.rating read from T1 (restaurant), the only table of its query with a column rating']

The same goes for a join key on the wrong column: ``business.bid = review.business_id`` compares
an integer with a text column; ``business`` also has a text ``business_id``, so that is the key
meant. The other side's column is used only when exactly one side's table has it, with the type
of the other side, and when both names look like keys (``id``, ``code``, ``key``, ``no``, ``num``,
``number`` at the end).

And for a table the query names but never joins (``journal.journalname`` with only ``paper`` in
FROM): when one key links it to the query's tables (a declared foreign key, or a key column of
the same name and type, never a bare ``id``), it is joined on that key. Two tables of the query
with the same key are fine only when the query joins them on it (either then finds the same rows).
With no key between them, but exactly one table that links both (``paperkeyphrase`` between ``paper``
and ``keyphrase``), it is joined through that table when the query reads it in WHERE alone.
A column read from a table that lacks it, which no table of the query has (``b.category_name`` on
``business AS b``), is read from the one other table of the schema that has it and one key links to
``b`` (``JOIN category ON b.business_id = category.business_id``), when the join leaves the rows the
query counts as they are: the column only filters (WHERE), or the key picks one row of that table.
An unqualified name that no table has, made of a table of the query, an underscore and one of its
columns (``course_has_exams`` with ``course`` joined), is read as that table's column (``course.has_exams``);
the other way round, a column a table lacks whose name with the table's name before it the table has
(``neighbourhood.name`` for ``neighbourhood_name``, ``v.name`` on ``venue AS v`` for ``venuename``) is
read as that column. A table joined by these rules never makes a column of the query ambiguous: an
unqualified column the joined table shares with one table of the query is read from that table.
For the same reason an unqualified column that several tables of the query have (``course_id``,
"ambiguous") is read from one of them when the query joins them on that column. And an output
name used in its own SELECT list, WHERE or HAVING (``weekend * 1.0 / weekday`` after ``SUM(...) AS
weekend``), where no table has such a column, is written out as the expression it names, and an
aggregate in GROUP BY (``GROUP BY weekend``), which no database accepts, is left out of it; columns
read beside an aggregate with no GROUP BY (``SELECT student_id, SUM(total_credit)``) are grouped by; the year
of a number column named year (``EXTRACT(YEAR FROM review.year)``) is the column itself; and a join on a
column compared with itself (``ON r.business_id = r.business_id``, always true) compares it with the
joined table's column of that name; a ratio whose WHERE keeps only the rows its numerator counts
(``COUNT(CASE WHEN rating > 4.5 THEN 1 END) * 1.0 / COUNT(*) ... WHERE rating > 4.5``, 1 by construction)
has that condition taken out of the WHERE; a ratio of two counts of the same rows (``COUNT(*) * 1.0 /
COUNT(id) FROM restaurant WHERE rating > 4.5``, 1 on every row) divides by all the table's rows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.optimizer.scope import Scope

    from ..data.schema import Table


def _scopes(sql: str, dialect: str) -> "tuple[exp.Expression, list[Scope]] | None":
    """The parsed statement and its scopes (query, subqueries, CTEs); None when it does not parse."""
    import sqlglot
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.scope import traverse_scope

    from ..guard.parsing import quiet_sqlglot, sqlglot_dialect

    try:
        with quiet_sqlglot():
            tree = sqlglot.parse_one(sql, read=sqlglot_dialect(dialect))
            return tree, traverse_scope(tree)
    except (SqlglotError, RecursionError, KeyError, ValueError):
        return None


def _column_types(tables: Sequence["Table"]):
    """A lookup from a query's table source to its catalog columns and their types (None: not a known table)."""
    from sqlglot import exp

    types_of: dict[str, dict[str, str]] = {}
    for table in tables:
        types = {c.name.lower(): c.type for c in table.columns}
        types_of.setdefault(table.name.lower(), types)
        if table.schema:
            types_of.setdefault(f"{table.schema}.{table.name}".lower(), types)

    def table_types(source: object) -> dict[str, str] | None:
        if not isinstance(source, exp.Table):
            return None
        key = ".".join(part for part in (source.db, source.name) if part).lower()
        return types_of.get(key) or types_of.get(source.name.lower())

    return table_types


def _by_name(tables: Sequence["Table"]) -> dict[str, "Table"]:
    """The catalog's tables by lower-case name, the first of each name (as :func:`_column_types` reads them)."""
    by_name: dict[str, "Table"] = {}
    for table in tables:
        by_name.setdefault(table.name.lower(), table)
    return by_name


def _from_order(select: "exp.Expression") -> "list[exp.Expression]":
    """The sources of a SELECT's FROM and JOINs, in the order written ([] without a FROM)."""
    from_ = select.args.get("from_") or select.args.get("from")  # the key's name in newer and older sqlglot
    if from_ is None:
        return []
    return [from_.this, *(join.this for join in select.args.get("joins") or [])]


def _enclosing(scope: "Scope") -> "list[Scope]":
    """``scope`` and the queries around it: a correlated subquery may read their tables."""
    chain = []
    while scope is not None:
        chain.append(scope)
        scope = scope.parent
    return chain


def _visible(scope: "Scope", *, table_names: bool = False) -> set[str]:
    """The qualifiers ``scope`` may use: its aliases and those of the queries around it; with
    ``table_names``, the names of their tables too."""
    from sqlglot import exp

    visible: set[str] = set()
    for outer in _enclosing(scope):
        visible |= {alias.lower() for alias in outer.sources}
        if table_names:
            visible |= {source.name.lower() for source in outer.sources.values() if isinstance(source, exp.Table)}
    return visible


def requalify(sql: str, dialect: str, tables: Sequence["Table"]) -> tuple[str, list[str]]:
    """``sql`` with misplaced column references moved (see the module docstring), and one note per move.

    SQL that does not parse, or that needs no change, comes back unchanged with no notes.
    """
    from sqlglot import exp
    from sqlglot.optimizer.scope import Scope

    from ..guard.parsing import sqlglot_dialect

    parsed = _scopes(sql, dialect)
    if parsed is None:
        return sql, []
    tree, scopes = parsed
    table_types, by_name = _column_types(tables), _by_name(tables)

    def source_columns(source: object) -> set[str] | None:
        if isinstance(source, Scope) and isinstance(source.expression, exp.Query):
            return {name.lower() for name in source.expression.named_selects}
        types = table_types(source)
        return None if types is None else set(types)

    notes: list[str] = []
    for scope in scopes:
        notes += _restore_table_prefixes(scope, by_name, table_types)
        known = {alias.lower(): (alias, source_columns(source)) for alias, source in scope.sources.items()}
        for column in scope.columns:
            qualifier, name = column.table.lower(), column.name.lower()
            if not qualifier or name == "*":
                continue
            alias, have = known.get(qualifier, (None, None))
            if alias is not None and (have is None or name in have):
                continue  # right where it is, or a source whose columns are unknown
            if alias is None:  # a table name its query aliased: FROM review AS r ... review.rating
                same = [a for a, source in scope.sources.items()
                        if isinstance(source, exp.Table) and source.name.lower() == qualifier]
                candidates = same if len(same) == 1 and name in (known[same[0].lower()][1] or set()) else []
                if (not same and qualifier not in by_name and qualifier not in _visible(scope, table_names=True)
                        and column.find_ancestor(exp.Select) is scope.expression):
                    # a qualifier that names nothing at all (f for fare, flight_stops for flight_stop)
                    # (and no query around it has the column: it might be a correlated reference)
                    columns = [(a, known[a.lower()][1]) for a in scope.sources]
                    around = [source_columns(source) for outer in _enclosing(scope)[1:]
                              for source in outer.sources.values()]
                    candidates = ([a for a, cols in columns if name in cols]
                                  if all(cols is not None for _, cols in columns)
                                  and not any(cols is None or name in cols for cols in around) else [])
            else:
                candidates = [a for a, (_, cols) in ((a, known[a.lower()]) for a in scope.sources)
                              if cols is not None and name in cols]
            if len(candidates) != 1:
                continue
            target = candidates[0]
            source = scope.sources[target]
            label = f" ({source.name})" if isinstance(source, exp.Table) and source.name != target else ""
            notes.append(f"column {column.table}.{column.name} read from {target}{label}, the only table of its query "
                         f"with a column {column.name}")
            column.set("table", exp.to_identifier(target))
        notes += _self_joins(scope, table_types)
        notes += _rekey_joins(scope, table_types) + _rekey_in_subqueries(scope, table_types)
        notes += _plain_years(scope, table_types)
        joined = _join_named_tables(scope, by_name, table_types) + _join_neighbours(scope, by_name, table_types)
        columns_of = dict(known.values())
        if joined:
            notes += joined
            _keep_unambiguous(scope, columns_of, table_types)
        notes += _split_table_prefixes(scope, columns_of, source_columns)
        notes += _qualify_shared_keys(scope, columns_of) + _inline_aliases(scope, columns_of)
        notes += _ungroup_aggregates(scope, columns_of) + _group_bare_columns(scope) + _unfilter_ratios(scope)
        notes += _total_denominators(scope, by_name)
    if not notes:
        return sql, []
    return tree.sql(dialect=sqlglot_dialect(dialect), pretty="\n" in sql.strip()), notes


_NUMBER = re.compile(r"int|serial|numeric|decimal|real|double|float|number")
_TEXT = re.compile(r"char|text|clob|string")
_KEY = re.compile(r"(id|code|key|no|num|number)$", re.IGNORECASE)


def _kind(type_: str | None) -> str | None:
    """"number" or "text" for a column type; None for dates, booleans and what is not known."""
    words = (type_ or "").lower()
    if "interval" in words or "point" in words:
        return None
    return "number" if _NUMBER.search(words) else "text" if _TEXT.search(words) else None


def _resolve(column: "exp.Column", scope: "Scope", table_types) -> tuple[dict[str, str], str] | None:
    """The catalog columns of the one table of ``scope`` that ``column`` reads, and the column's type.

    None when no table of the scope, or more than one, has it (or a source's columns are unknown).
    """
    name = column.name.lower()
    found = [types for alias, source in scope.sources.items()
             if (not column.table or alias.lower() == column.table.lower())
             and (types := table_types(source)) is not None and name in types]
    return (found[0], found[0][name]) if len(found) == 1 else None


def _rekey_joins(scope: "Scope", table_types) -> list[str]:
    """Equalities of one scope between a number and a text column, put on the key they meant (see above)."""
    from sqlglot import exp

    own = {id(column) for column in scope.columns}
    notes: list[str] = []
    for eq in scope.expression.find_all(exp.EQ):
        left, right = eq.left, eq.right
        if not (isinstance(left, exp.Column) and isinstance(right, exp.Column)
                and id(left) in own and id(right) in own and left.table and right.table):
            continue
        resolved = [_resolve(column, scope, table_types) for column in (left, right)]
        if None in resolved:
            continue
        sides = [(column, *found) for column, found in zip((left, right), resolved)]
        if {_kind(sides[0][2]), _kind(sides[1][2])} != {"number", "text"}:
            continue
        fixes = [(this, other) for this, other in (sides, sides[::-1])
                 if _kind(this[1].get(other[0].name.lower())) == _kind(other[2])
                 and other[0].name.lower() != this[0].name.lower()
                 and _KEY.search(this[0].name) and _KEY.search(other[0].name)]
        if len(fixes) != 1:
            continue
        (column, _, type_), (other, _, other_type) = fixes[0]
        was = f"{column.table}.{column.name}"
        notes.append(f"join key {left.sql()} = {right.sql()}: {was} is {type_} and {other.sql()} is {other_type}; "
                     f"{column.table}.{other.name} used instead of {was}")
        column.set("this", exp.to_identifier(other.name))
    return notes


def _self_joins(scope: "Scope", table_types) -> list[str]:
    """``JOIN business AS b ON r.business_id = r.business_id``: a column compared with itself is always true, so
    the join pairs every row with every row. The side meant is the joined table's own column (``b.business_id``)
    when that table has it; or, when both sides name the joined table, the one table joined before it that has
    the column."""
    from sqlglot import exp

    notes: list[str] = []
    select = scope.expression
    order = [source.alias_or_name for source in _from_order(select)]
    for position, join in enumerate(select.args.get("joins") or [], start=1):
        on, joined = join.args.get("on"), join.this.alias_or_name
        for eq in on.find_all(exp.EQ) if on is not None else ():
            left, right = eq.left, eq.right
            if not (isinstance(left, exp.Column) and isinstance(right, exp.Column) and left.table
                    and left.table.lower() == right.table.lower() and left.name.lower() == right.name.lower()):
                continue
            name, was = left.name.lower(), eq.sql()
            having = {alias for alias in order[:position + 1]
                      if name in (table_types(scope.sources.get(alias)) or {})}
            if left.table.lower() != joined.lower():
                if joined not in having:
                    continue
                right.set("table", exp.to_identifier(joined))
            else:
                earlier = [alias for alias in order[:position] if alias in having]
                if len(earlier) != 1:
                    continue
                left.set("table", exp.to_identifier(earlier[0]))
            notes.append(f"join condition {was} compares a column with itself (always true); {eq.sql()} instead")
    return notes


def _rekey_in_subqueries(scope: "Scope", table_types) -> list[str]:
    """``r.business_id IN (SELECT bid FROM business ...)``: the subquery selects the key of the same type."""
    from sqlglot import exp

    own = {id(column) for column in scope.columns}
    notes: list[str] = []
    for test in scope.expression.find_all(exp.In):
        outer, query = test.this, test.args.get("query")
        select = query.this if isinstance(query, exp.Subquery) else None
        if not (isinstance(outer, exp.Column) and id(outer) in own and isinstance(select, exp.Select)
                and len(select.expressions) == 1 and isinstance(select.expressions[0], exp.Column)
                and not select.args.get("joins")):
            continue
        inner = select.expressions[0]
        resolved = _resolve(outer, scope, table_types)
        inner_types = table_types(next(iter(_from_order(select)), None))
        if resolved is None or inner_types is None or inner.name.lower() not in inner_types:
            continue
        outer_type, inner_type = resolved[1], inner_types[inner.name.lower()]
        if ({_kind(outer_type), _kind(inner_type)} != {"number", "text"}
                or _kind(inner_types.get(outer.name.lower())) != _kind(outer_type)
                or not (_KEY.search(outer.name) and _KEY.search(inner.name))):
            continue
        notes.append(f"{outer.sql()} IN (SELECT {inner.sql()} ...): {outer.sql()} is {outer_type} and {inner.sql()} "
                     f"is {inner_type}; the subquery selects {outer.name} instead")
        inner.set("this", exp.to_identifier(outer.name))
    return notes


_YEAR = re.compile(r"(^|_)year$", re.IGNORECASE)


def _plain_years(scope: "Scope", table_types) -> list[str]:
    """``EXTRACT(YEAR FROM review.year)``, ``strftime('%Y', review.year)``, ``YEAR(review.year)`` where the column
    is a number named year: it holds the year already (PostgreSQL refuses to extract from a number; SQLite
    reads 2021 as a day number and answers -4707), so the column is read as it is."""
    from sqlglot import exp

    notes: list[str] = []
    for node in list(scope.expression.find_all(exp.Extract, exp.TimeToStr, exp.Year)):
        if node.find_ancestor(exp.Select) is not scope.expression:
            continue
        if isinstance(node, exp.Extract):
            wanted, inner = node.this.name.upper() == "YEAR", node.expression
        elif isinstance(node, exp.TimeToStr):
            wanted, inner = node.args.get("format") is not None and node.args["format"].name == "%Y", node.this
        else:
            wanted, inner = True, node.this
        while isinstance(inner, (exp.TsOrDsToTimestamp, exp.TsOrDsToDate, exp.Cast)):
            inner = inner.this
        if not (wanted and isinstance(inner, exp.Column) and _YEAR.search(inner.name)):
            continue
        resolved = _resolve(inner, scope, table_types)
        if resolved is None or _kind(resolved[1]) != "number":
            continue
        note = f"the year of {inner.sql()} read as {inner.sql()}: it holds years ({resolved[1]}), not dates"
        if note not in notes:
            notes.append(note)
        node.replace(inner.copy())
    return notes


def _join_keys(source: "exp.Table", table: "Table", table_types, by_name: dict[str, "Table"]) -> list[tuple[str, str]]:
    """(column of ``source``, column of ``table``) pairs that join them: single-column foreign keys
    either way, and key columns of the same name and type (``paper.journalid``, ``journal.journalid``;
    a bare ``id`` is every table's own key, not a link)."""
    types = table_types(source) or {}
    own = by_name.get(source.name.lower())
    name = table.name.lower()
    pairs = [(fk.columns[0], fk.ref_columns[0]) for fk in (own.foreign_keys if own else ())
             if len(fk.columns) == 1 and len(fk.ref_columns) == 1 and fk.ref_table.lower().rpartition(".")[2] == name]
    pairs += [(fk.ref_columns[0], fk.columns[0]) for fk in table.foreign_keys
              if len(fk.columns) == 1 and len(fk.ref_columns) == 1
              and fk.ref_table.lower().rpartition(".")[2] == source.name.lower()]
    theirs = {c.name.lower(): c.type for c in table.columns}
    pairs += [(column, column) for column, type_ in types.items()
              if column in theirs and _KEY.search(column) and not _KEY.fullmatch(column)
              and _kind(type_) is not None and _kind(type_) == _kind(theirs[column])]
    return list(dict.fromkeys((s.lower(), t.lower()) for s, t in pairs))


def _missing_tables(scope: "Scope", by_name: dict[str, "Table"], table_types, *, any_column: bool = False):
    """(qualifier, its catalog table, candidate joins) for each qualifier of ``scope`` that names a catalog
    table the query never brought in (``journal.journalname`` with no ``journal`` in FROM or JOIN).

    A candidate join is (alias of a table of the scope, its column, the missing table's column).
    Only qualifiers with a column of that table count, unless ``any_column`` (``neighbourhood.name``).
    """
    from sqlglot import exp

    sources = [s for s in _from_order(scope.expression) if isinstance(s, exp.Table)]
    if not isinstance(scope.expression, exp.Select) or not sources:
        return []
    visible = _visible(scope, table_names=True)
    found: dict[str, tuple] = {}
    for column in scope.columns:
        qualifier = column.table.lower()
        table = by_name.get(qualifier)
        if (not qualifier or qualifier in visible or qualifier in found or table is None
                or not (any_column or column.name.lower() in {c.name.lower() for c in table.columns})):
            continue
        own = column.find_ancestor(exp.Select)
        if own is not scope.expression and qualifier in {s.alias_or_name.lower() for s in _from_order(own)}:
            continue  # a subquery's column, on a table a rule joined there
        joins = [(source.alias_or_name, s, t) for source in sources
                 for s, t in _join_keys(source, table, table_types, by_name)]
        found[qualifier] = (column.args["table"], table, joins)
    return list(found.values())


def _restore_table_prefixes(scope: "Scope", by_name: dict[str, "Table"], table_types) -> list[str]:
    """``neighbourhood.name`` where ``neighbourhood`` (a table of the query, by alias or name, or one it
    names without joining) has no column ``name`` but has ``neighbourhood_name``: the model left out
    the table's name its column starts with. Also ``venuename`` for ``v.name`` on ``venue AS v``, and a
    singular table name (``users.name`` for ``user_name``). Read as that column when exactly one fits."""
    from sqlglot import exp

    notes: list[str] = []
    visible: set[str] | None = None  # names the query can see, for a qualifier that is no source of the scope
    for column in scope.columns:
        qualifier, name = column.table.lower(), column.name.lower()
        if not qualifier or name == "*":
            continue
        source = next((s for a, s in scope.sources.items() if a.lower() == qualifier), None)
        if source is None:
            visible = _visible(scope, table_names=True) if visible is None else visible
            if qualifier not in by_name or qualifier in visible:
                continue
            table_name, have = qualifier, {c.name.lower(): c.name for c in by_name[qualifier].columns}
        elif isinstance(source, exp.Table) and table_types(source) is not None:
            table_name, have = source.name.lower(), {c: c for c in table_types(source)}
        else:
            continue  # a derived table or CTE: its columns are its own
        if name in have:
            continue
        stems = {table_name, table_name.removesuffix("s")}
        fits = {have[f"{stem}{sep}{name}"] for stem in stems for sep in ("_", "") if f"{stem}{sep}{name}" in have}
        if len(fits) != 1:
            continue
        (real,) = fits
        notes.append(f"column {column.table}.{column.name} read as {column.table}.{real}: {table_name} has no "
                     f"column {column.name}")
        column.set("this", exp.to_identifier(real))
    return notes


def _keep_unambiguous(scope: "Scope", columns_of: dict[str, set[str] | None], table_types) -> None:
    """After a rule joined a table to ``scope``'s query, an unqualified column that table shares with
    exactly one table the query had is read from that table (the join must not make it ambiguous)."""
    from sqlglot import exp

    select = scope.expression
    before = {alias.lower() for alias in scope.sources}
    added: set[str] = set()
    for source in _from_order(select):
        if isinstance(source, exp.Table) and source.alias_or_name.lower() not in before:
            added |= {c.lower() for c in table_types(source) or ()}
    for column in scope.columns:
        name = column.name.lower()
        if column.table or name == "*" or name not in added or column.find_ancestor(exp.Select) is not select:
            continue
        owners = [alias for alias in scope.sources if name in (columns_of.get(alias.lower()) or set())]
        if len(owners) == 1:
            column.set("table", exp.to_identifier(owners[0]))


def _split_table_prefixes(scope: "Scope", columns_of: dict[str, set[str] | None],
                          source_columns: "Callable[[object], set[str] | None]") -> list[str]:
    """``course_has_exams``, unqualified, which no table of the query (nor of a query around it) has, where
    ``course`` is a table of the query with a column ``has_exams``: the model wrote ``course.has_exams``
    with an underscore. Read from there when exactly one table of the query (by alias or name) splits it so."""
    from sqlglot import exp

    select = scope.expression
    around = [source_columns(source) for outer in _enclosing(scope) for source in outer.sources.values()]
    if not isinstance(select, exp.Select) or any(cols is None for cols in around):
        return []  # a source whose columns are unknown may have the column
    every = set().union(*around)
    outputs = {e.alias.lower() for e in select.expressions if isinstance(e, exp.Alias)}
    notes: list[str] = []
    for column in scope.columns:
        name = column.name.lower()
        if (column.table or name == "*" or name in outputs or name in every or "_" not in name
                or column.find_ancestor(exp.Select) is not select):
            continue  # a column of a subquery is that subquery's to read
        splits = {(alias, name[len(prefix) + 1:])
                  for alias, source in scope.sources.items()
                  for prefix in {alias.lower(), *([source.name.lower()] if isinstance(source, exp.Table) else [])}
                  if name.startswith(prefix + "_") and name[len(prefix) + 1:] in (columns_of.get(alias) or set())}
        if len(splits) != 1:
            continue
        (alias, rest), = splits
        notes.append(f"column {column.name} read as {alias}.{rest}: no table of its query has a column "
                     f"{column.name}, and {alias} has {rest}")
        column.set("this", exp.to_identifier(rest))
        column.set("table", exp.to_identifier(alias))
    return notes


def _qualify_shared_keys(scope: "Scope", columns_of: dict[str, set[str] | None]) -> list[str]:
    """``course_id`` unqualified, in two tables of the query joined on it: read from the first of them."""
    from sqlglot import exp

    select = scope.expression
    sources = _from_order(select)
    if not isinstance(select, exp.Select) or not sources or None in columns_of.values():
        return []  # a source whose columns are unknown may have the column too
    if any(join.side in ("RIGHT", "FULL") for join in select.args.get("joins") or []):
        return []  # the first table's key may be NULL where the other's is not
    order = [source.alias_or_name for source in sources]
    outputs = {e.alias.lower() for e in select.expressions if e.alias and not isinstance(e.this, exp.Column)}
    # ORDER BY course_id names the output column, and sqlglot leaves it out of the scope's columns;
    # the database still finds it ambiguous.
    order_by = select.args.get("order")
    ordered = [c for c in order_by.find_all(exp.Column) if not c.table] if order_by is not None else []
    notes: list[str] = []
    fixed: dict[str, str | None] = {}
    for column in [*scope.columns, *(c for c in ordered if all(c is not own for own in scope.columns))]:
        name = column.name.lower()
        if column.table or name == "*" or name in outputs:
            continue
        if name not in fixed:
            having = [alias for alias in order if name in (columns_of.get(alias) or ())]
            if len(having) < 2 or not _joined_on(scope, having, name):
                fixed[name] = None
                continue
            # where the query reads it qualified (GROUP BY c.course_id), from there: PostgreSQL does
            # not group s.course_id by c.course_id, however the tables are joined
            written = {c.table.lower() for c in scope.columns if c.name.lower() == name and c.table
                       and c.find_ancestor(exp.Join) is None} & {alias.lower() for alias in having}
            fixed[name] = next((a for a in having if a.lower() in written), having[0]) if len(written) <= 1 else None
            if fixed[name] is not None:
                notes.append(f"column {column.name} read from {fixed[name]}: {', '.join(having)} all have it and "
                             f"the query joins them on it")
        if fixed[name] is not None:
            column.set("table", exp.to_identifier(fixed[name]))
    return notes


def _inline_aliases(scope: "Scope", columns_of: dict[str, set[str] | None]) -> list[str]:
    """``SUM(...) AS weekend, weekend / NULLIF(weekday, 0) AS ratio``: an output name used in its own
    SELECT list, WHERE or HAVING, where no table of the query has such a column, is written out as its
    expression. (GROUP BY and ORDER BY may name outputs; they are left as they are.)"""
    from sqlglot import exp

    select = scope.expression
    if not isinstance(select, exp.Select) or None in columns_of.values():
        return []  # a source whose columns are unknown may have a column of that name
    real = set().union(*columns_of.values()) if columns_of else set()
    defined = {e.alias.lower(): e for e in select.expressions if isinstance(e, exp.Alias) and e.alias}
    defined = {name: e for name, e in defined.items() if name not in real}
    if not defined:
        return []
    places = [*select.expressions, select.args.get("where"), select.args.get("having")]
    notes: list[str] = []
    for place in places:
        if place is None:
            continue
        for column in list(place.find_all(exp.Column)):
            name = column.name.lower()
            owner = defined.get(name)
            if column.table or owner is None or column.find_ancestor(exp.Select) is not select:
                continue
            if place is owner or any(c.name.lower() in defined for c in owner.this.find_all(exp.Column)):
                continue  # its own definition, or one still reading output names (they read each other)
            column.replace(exp.paren(owner.this.copy(), copy=False))
            note = f"{column.name} is an output name of its own SELECT: its expression written out where it is used"
            if note not in notes:
                notes.append(note)
    return notes


def _ungroup_aggregates(scope: "Scope", columns_of: dict[str, set[str] | None]) -> list[str]:
    """``GROUP BY weekend_checkins`` where ``weekend_checkins`` is ``SUM(...)`` of the same SELECT (and no
    table's column): no database groups by an aggregate, so the item is left out of the GROUP BY
    (and the GROUP BY with it when nothing else is grouped)."""
    from sqlglot import exp

    select = scope.expression
    group = select.args.get("group") if isinstance(select, exp.Select) else None
    if group is None or None in columns_of.values():
        return []
    real = set().union(*columns_of.values()) if columns_of else set()
    aggregates = {e.alias.lower() for e in select.expressions
                  if isinstance(e, exp.Alias) and e.alias.lower() not in real and e.this.find(exp.AggFunc)}
    dropped = [item for item in group.expressions
               if (isinstance(item, exp.Column) and not item.table and item.name.lower() in aggregates)
               or isinstance(item, exp.AggFunc)]
    if not dropped:
        return []
    kept = [item for item in group.expressions if all(item is not d for d in dropped)]
    if kept:
        group.set("expressions", kept)
    else:
        select.set("group", None)
    return [f"{', '.join(d.sql() for d in dropped)} left out of GROUP BY: an aggregate cannot be grouped by"]


def _group_bare_columns(scope: "Scope") -> list[str]:
    """``SELECT student_id, SUM(total_credit) FROM student`` has no GROUP BY: PostgreSQL refuses it and SQLite
    returns one row for all students. The columns read outside the aggregates are grouped by, as meant.
    Not with MIN or MAX (SQLite's bare columns then come from the row holding the extreme: a question's "which
    one"), nor with a window function or DISTINCT."""
    from sqlglot import exp

    select = scope.expression
    if not isinstance(select, exp.Select) or select.args.get("group") or select.args.get("distinct"):
        return []
    items = select.expressions
    if any(item.find(exp.Window) for item in items):
        return []
    aggregates = [a for item in items for a in item.find_all(exp.AggFunc) if a.find_ancestor(exp.Select) is select]
    if not aggregates or any(isinstance(a, (exp.Min, exp.Max)) for a in aggregates):
        return []
    outputs = {item.alias.lower() for item in items if isinstance(item, exp.Alias) and item.alias}
    bare = [item for item in items if not item.find(exp.AggFunc) and not item.find(exp.Subquery)
            and any(c.table or c.name.lower() not in outputs for c in item.find_all(exp.Column))]
    if not bare:
        return []
    keys = [(item.this if isinstance(item, exp.Alias) else item).copy() for item in bare]
    select.group_by(*keys, copy=False)
    return [f"GROUP BY {', '.join(k.sql() for k in keys)} added: columns read beside an aggregate are grouped by"]


def _unfilter_ratios(scope: "Scope") -> list[str]:
    """``COUNT(CASE WHEN rating > 4.5 THEN 1 END) * 1.0 / COUNT(*) FROM restaurant WHERE rating > 4.5``: the WHERE
    keeps only the rows the numerator counts, so the ratio is 1 by construction; the condition the numerator
    counts is meant for the numerator alone, and is taken out of the WHERE. Only when every aggregate of the
    SELECT list is in such a ratio (the WHERE keeps filtering anything else) and the denominator is an
    aggregate of the same query (a total from a subquery is not filtered by the WHERE)."""
    from sqlglot import exp

    select = scope.expression
    where = select.args.get("where") if isinstance(select, exp.Select) else None
    if where is None:
        return []
    conjuncts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]

    def own(node: exp.Expression) -> list[exp.Expression]:
        return [a for a in node.find_all(exp.AggFunc) if a.find_ancestor(exp.Select) is select]

    def counted(node: exp.Expression) -> set[str]:
        """The conditions of the CASEs inside ``node``'s own aggregates."""
        return {branch.this.sql() for aggregate in own(node) for case in aggregate.find_all(exp.Case)
                for branch in case.args.get("ifs") or []}

    ratios, dropped = [], set()
    for division in (d for item in select.expressions for d in item.find_all(exp.Div)):
        top, bottom = counted(division.this), counted(division.expression)
        if not own(division.this) or not own(division.expression):
            continue
        meant = {c.sql() for c in conjuncts} & (top - bottom)
        if meant:
            ratios.append(division)
            dropped |= meant
    in_ratios = {id(a) for division in ratios for a in own(division)}
    if not dropped or any(id(a) not in in_ratios for item in select.expressions for a in own(item)):
        return []
    kept = [c for c in conjuncts if c.sql() not in dropped]
    select.set("where", exp.Where(this=exp.and_(*kept, copy=False)) if kept else None)
    return [f"{text} taken out of WHERE: it kept only the rows the ratio's numerator counts, which made the ratio 1"
            for text in sorted(dropped)]


_FRACTIONAL = re.compile(r"float|real|double|numeric|decimal|number", re.IGNORECASE)


def _total_denominators(scope: "Scope", by_name: dict[str, "Table"]) -> list[str]:
    """``CAST(COUNT(*) AS FLOAT) / COUNT(DISTINCT id) FROM restaurant WHERE rating > 4.5`` (or ``... / COUNT(bid)
    FROM business GROUP BY state``): both sides count the same rows, so the ratio is 1 on every row. A part
    over a whole was meant: the denominator becomes the count of the table's rows, ``(SELECT COUNT(*) FROM
    restaurant)``. Only for a query of one table with a WHERE or a GROUP BY (not both: then a total per group
    may be meant), a fractional division (a cast or a decimal number; an integer one would give 0), and
    counts of rows: ``COUNT(*)``, or of the table's key (``id``, a key named after the table or its initial:
    ``bid`` for business), never of another column (``COUNT(phone) / COUNT(*)`` is a real share)."""
    from sqlglot import exp

    select = scope.expression
    if not isinstance(select, exp.Select) or select.args.get("joins") or len(scope.sources) != 1:
        return []
    sources = _from_order(select)
    source = sources[0] if sources else None
    table = by_name.get(source.name.lower()) if isinstance(source, exp.Table) else None
    if table is None or bool(select.args.get("where")) == bool(select.args.get("group")):
        return []

    def rows(node: exp.Expression) -> "exp.Count | None":
        """The one COUNT of ``node`` (under casts, NULLIF and arithmetic with numbers) when it counts rows."""
        counts = [a for a in node.find_all(exp.AggFunc) if a.find_ancestor(exp.Select) is select]
        if len(counts) != 1 or not isinstance(counts[0], exp.Count) or isinstance(counts[0].parent, exp.Filter):
            return None
        if any(c.find_ancestor(exp.AggFunc) is None for c in node.find_all(exp.Column)):
            return None
        argument = counts[0].this
        argument = argument.expressions[0] if isinstance(argument, exp.Distinct) and len(argument.expressions) == 1 \
            else argument
        if isinstance(argument, exp.Star) or (isinstance(argument, exp.Literal) and not argument.is_string):
            return counts[0]
        if isinstance(argument, exp.Column) and _is_row_key(table, argument.name, by_name):
            return counts[0]
        return None

    notes: list[str] = []
    for division in list(select.find_all(exp.Div)):
        if division.find_ancestor(exp.Select) is not select or division.find_ancestor(exp.AggFunc) is not None:
            continue
        top, bottom = rows(division.this), rows(division.expression)
        fractional = any(_FRACTIONAL.search(cast.to.sql()) for cast in division.find_all(exp.Cast)) or any(
            not number.is_string and "." in number.this for number in division.find_all(exp.Literal))
        if top is None or bottom is None or not fractional:
            continue
        whole = source.copy()
        whole.set("alias", None)
        total = exp.Subquery(this=exp.select(exp.Count(this=exp.Star())).from_(whole))
        notes.append(f"{bottom.sql()} in the ratio's denominator counted the same rows as its numerator (the ratio "
                     f"was 1): it counts all of {table.name}, {total.sql()}")
        bottom.replace(total)
    return notes


def _is_row_key(table: "Table", column: str, by_name: dict[str, "Table"]) -> bool:
    """Whether ``column`` names ``table``'s rows one by one: its key (see :func:`_identifies`), or, no primary
    key being declared, ``id`` or the table's initial and ``id`` (``bid`` for business, ``pid`` for publication)."""
    column = column.lower()
    if _identifies(table, column, by_name):
        return True
    return not table.primary_key and column in ("id", f"{table.name[:1].lower()}id")


def _joined_on(scope: "Scope", aliases: list[str], key: str) -> bool:
    """Whether the query equates ``key`` of every one of ``aliases`` with the first's, so any of them will do."""
    from sqlglot import exp

    pairs = {frozenset((eq.left.table.lower(), eq.right.table.lower())) for eq in scope.expression.find_all(exp.EQ)
             if isinstance(eq.left, exp.Column) and isinstance(eq.right, exp.Column)
             and eq.left.name.lower() == key and eq.right.name.lower() == key}
    return all(frozenset((aliases[0].lower(), other.lower())) in pairs for other in aliases[1:])


def _join_named_tables(scope: "Scope", by_name: dict[str, "Table"], table_types) -> list[str]:
    """Join the table a column names when the query never joined it and one key links it (see above)."""
    from sqlglot import exp

    notes: list[str] = []
    for qualifier, table, joins in _missing_tables(scope, by_name, table_types):
        if not joins:
            notes += _join_through_bridge(scope, qualifier, table, by_name, table_types)
            continue
        if len({(s, t) for _, s, t in joins}) != 1 or not _joined_on(scope, [a for a, _, _ in joins], joins[0][1]):
            continue  # several keys that could mean different rows: the repair hint lists them
        alias, s, t = joins[0]  # the first table of the FROM order that has the key
        on = exp.EQ(this=exp.column(s, table=alias), expression=exp.column(t, table=qualifier.copy()))
        scope.expression.join(exp.Table(this=qualifier.copy(), db=_schema_of(table)), on=on, copy=False)
        notes.append(f"table {qualifier.name} was named but not joined: joined on {on.sql()}")
    return notes


def _join_through_bridge(scope: "Scope", qualifier: "exp.Identifier", table: "Table", by_name: dict[str, "Table"],
                         table_types) -> list[str]:
    """``keyphrase.keyphrasename`` in the WHERE of a query on ``paper``, with no key between them: joined through
    the one table that links both (``paperkeyphrase``: ``paperid``, ``keyphraseid``), when only the WHERE
    reads it (a filter: the rows of a many-to-many link would otherwise be counted)."""
    from sqlglot import exp

    select = scope.expression
    name = qualifier.name.lower()
    uses = [c for c in scope.columns if c.table.lower() == name]
    if not uses or not all(_filters(use, select) for use in uses):
        return []
    taken = _visible(scope, table_names=True)
    sources = [s for s in _from_order(select) if isinstance(s, exp.Table)]
    routes = []
    for bridge in by_name.values():
        if bridge.name.lower() in taken or bridge.name.lower() == name:
            continue
        node = exp.Table(this=exp.to_identifier(bridge.name), db=_schema_of(bridge))
        onward = _join_keys(node, table, table_types, by_name)
        if onward:
            routes += [(source, bridge, node, first, second) for source in sources
                       for first in _join_keys(source, bridge, table_types, by_name) for second in onward]
    if len({(bridge.name, first, second) for _, bridge, _, first, second in routes}) != 1:
        return []  # no route, or several that may find different rows
    source, bridge, node, (s, b), (b2, t) = routes[0]
    if not _joined_on(scope, list(dict.fromkeys(r[0].alias_or_name for r in routes)), s):
        return []  # two tables of the query have the key and are not joined on it
    first = exp.EQ(this=exp.column(s, table=source.alias_or_name), expression=exp.column(b, table=bridge.name))
    second = exp.EQ(this=exp.column(b2, table=bridge.name), expression=exp.column(t, table=qualifier.copy()))
    select.join(node, on=first, copy=False)
    select.join(exp.Table(this=qualifier.copy(), db=_schema_of(table)), on=second, copy=False)
    return [f"table {qualifier.name} was named but not joined: joined through {bridge.name} on {first.sql()} "
            f"and {second.sql()}"]


def _join_neighbours(scope: "Scope", by_name: dict[str, "Table"], table_types) -> list[str]:
    """``b.neighbourhood_name`` where ``b`` (business) has no such column and no table the query can see
    has one: when exactly one other table of the schema has it and one key links it to ``b``
    (``business_id``), that table is joined on the key and the column read from it."""
    from sqlglot import exp

    select = scope.expression
    if not isinstance(select, exp.Select) or not _from_order(select):
        return []
    if any(join.side in ("RIGHT", "FULL") for join in select.args.get("joins") or []):
        return []
    seen = [table_types(source) for outer in _enclosing(scope) for source in outer.sources.values()]
    if None in seen:
        return []  # a derived table or CTE may have the column
    taken = _visible(scope, table_names=True)
    added: dict[tuple[str, str], str] = {}  # (qualifier, column) -> the table joined for it
    notes: list[str] = []
    for column in scope.columns:
        qualifier, name = column.table.lower(), column.name.lower()
        source = next((s for a, s in scope.sources.items() if a.lower() == qualifier), None)
        if not qualifier or name == "*" or not isinstance(source, exp.Table):
            continue
        if (qualifier, name) in added:
            column.set("table", exp.to_identifier(added[qualifier, name]))
            continue
        if any(name in types for types in seen if types is not None):
            continue  # some table of the query has it: the rules above, or the repair, place it
        options = [(table, s, t) for table in by_name.values()
                   if table.name.lower() not in taken and name in {c.name.lower() for c in table.columns}
                   for s, t in _join_keys(source, table, table_types, by_name)]
        if len(options) != 1:
            continue  # no table, or several: which one was meant is not known
        table, s, t = options[0]
        uses = [c for c in scope.columns if c.table.lower() == qualifier and c.name.lower() == name]
        if not (_identifies(table, t, by_name) or all(_filters(use, select) for use in uses)):
            continue  # several rows of the table may match each row: only a filter keeps its meaning
        on = exp.EQ(this=exp.column(s, table=column.table), expression=exp.column(t, table=table.name))
        joined = exp.Table(this=exp.to_identifier(table.name), db=_schema_of(table))
        select.join(joined, on=on, copy=False)
        notes.append(f"column {column.table}.{column.name}: {source.name} has no such column; {table.name} has it "
                     f"and is joined on {on.sql()}")
        column.set("table", exp.to_identifier(table.name))
        added[qualifier, name] = table.name
        taken.add(table.name.lower())
        seen.append(table_types(joined))
    return notes


def _identifies(table: "Table", column: str, tables: dict[str, "Table"]) -> bool:
    """Whether ``column`` picks at most one row of ``table``: its primary key, a column a foreign key refers
    to, or, no primary key being declared, a key named after its table (``keyphrase.keyphraseid``;
    ``paperkeyphrase.paperid`` and ``category.business_id`` may repeat)."""
    column = column.lower()
    if table.primary_key:
        return [c.lower() for c in table.primary_key] == [column]
    if any(len(fk.columns) == 1 and fk.ref_columns[0].lower() == column
           and fk.ref_table.lower().rpartition(".")[2] == table.name.lower()
           for other in tables.values() for fk in other.foreign_keys):
        return True
    plain = re.sub(r"[^a-z0-9]", "", column)
    return bool(_KEY.search(column)) and plain.startswith(re.sub(r"[^a-z0-9]", "", table.name.lower()))


def _filters(column: "exp.Column", select: "exp.Select") -> bool:
    """Whether ``column`` is read only to filter the rows of ``select`` (in its WHERE, outside any subquery)."""
    from sqlglot import exp

    where = column.find_ancestor(exp.Where)
    return where is not None and where.parent is select and column.find_ancestor(exp.Select) is select


def _schema_of(table: "Table") -> "exp.Identifier | None":
    """The schema to write before ``table``'s name: None for the connection's default schema."""
    from sqlglot import exp

    from ..data.schema import DEFAULT_SCHEMAS

    schema = table.schema if table.schema and table.schema.lower() not in DEFAULT_SCHEMAS.values() else None
    return exp.to_identifier(schema) if schema else None


def undefined_aliases(sql: str, dialect: str, tables: Sequence["Table"] = ()) -> list[str]:
    """What a repair should be told about qualifiers that no table of the query carries.

    ``o.order_id`` where nothing in the query is called ``o`` means a table the model meant to
    join and did not; the database says only "no such column" or "missing FROM-clause entry".
    With ``tables`` (the catalog), a qualifier that names a table comes with the joins its keys allow.

    >>> sql = "SELECT r.name, SUM(o.total) FROM regions r JOIN customers c ON c.rid = r.id"
    >>> print(undefined_aliases(sql, "sqlite")[0])
    o (in o.total) names no table of the query's FROM or JOIN clauses: join the table it stands for
    """
    from sqlglot import exp

    parsed = _scopes(sql, dialect)
    if parsed is None:
        return []
    _, scopes = parsed
    table_types, by_name = _column_types(tables), _by_name(tables)
    found: dict[str, str] = {}
    for scope in scopes:
        joins = {qualifier.name.lower(): (table, options)
                 for qualifier, table, options in _missing_tables(scope, by_name, table_types, any_column=True)}
        visible = _visible(scope)
        for column in scope.columns:
            qualifier = column.table
            if qualifier and qualifier.lower() not in visible and qualifier.lower() not in found:
                table, options = joins.get(qualifier.lower(), (None, []))
                ons = [exp.EQ(this=exp.column(s, table=alias), expression=exp.column(t, table=qualifier)).sql()
                       for alias, s, t in options[:3]]
                advice = (f"join {table.name}: JOIN {qualifier} ON " + " or ON ".join(ons) if ons
                          else "join the table it stands for")
                names = [c.name for c in table.columns] if table is not None else []
                if names and column.name.lower() not in {n.lower() for n in names}:
                    advice += f"; {table.name} has no column {column.name}: its columns are {', '.join(names)}"
                found[qualifier.lower()] = (f"{qualifier} (in {qualifier}.{column.name}) names no table of the "
                                            f"query's FROM or JOIN clauses: {advice}")
    return list(found.values())


def unknown_columns(sql: str, dialect: str, tables: Sequence["Table"]) -> list[str]:
    """What a repair should be told about columns that no table of their query has.

    The database names the column ("column r.stars does not exist"); the model, asked again, often
    guesses another name that is not there either. This names the table's real columns, and the
    tables elsewhere in the schema that do have the column (a join the query is missing). Names of
    columns only, never data.

    >>> from vanna_magic.core.data.schema import Column, Table
    >>> tables = [Table("review", (Column("rid", "INTEGER"), Column("rating", "REAL"))),
    ...           Table("business", (Column("business_id", "TEXT"), Column("stars", "REAL")))]
    >>> print(unknown_columns("SELECT AVG(r.stars) FROM review r", "sqlite", tables)[0])
    review (r) has no column stars; its columns are rid, rating; stars is a column of business
    """
    from sqlglot import exp

    parsed = _scopes(sql, dialect)
    if parsed is None:
        return []
    _, scopes = parsed
    table_types = _column_types(tables)
    holders: dict[str, list[str]] = {}
    for table in tables:
        for column in table.columns:
            holders.setdefault(column.name.lower(), []).append(table.name)
    found: dict[tuple[str, str], str] = {}
    for scope in scopes:
        sources = {alias.lower(): (alias, source) for alias, source in scope.sources.items()}
        outputs = {e.alias.lower() for e in getattr(scope.expression, "expressions", []) if isinstance(e, exp.Alias)}
        for column in scope.columns:
            name, qualifier = column.name.lower(), column.table.lower()
            if name == "*" or (qualifier, name) in found:
                continue
            if qualifier:
                alias, source = sources.get(qualifier, (None, None))
                types = table_types(source)
                if types is None or name in types:
                    continue  # an undefined qualifier (undefined_aliases says so), a subquery, or right
                label = source.name if source.name == alias else f"{source.name} ({alias})"
                line = f"{label} has no column {column.name}; its columns are {', '.join(types)}"
            else:
                known = [table_types(source) for outer in _enclosing(scope) for source in outer.sources.values()]
                if name in outputs or not known or any(t is None or name in t for t in known):
                    continue  # an output alias (ORDER BY total), a source of unknown columns, or found
                line = f"no table of the query has a column {column.name}"
            elsewhere = [t for t in holders.get(name, [])
                         if not any(isinstance(s, exp.Table) and s.name.lower() == t.lower()
                                    for _, s in sources.values())]
            if elsewhere:
                line += f"; {column.name} is a column of {', '.join(elsewhere[:5])}"
            found[(qualifier, name)] = line
    return list(found.values())


def type_clashes(sql: str, dialect: str, tables: Sequence["Table"]) -> list[str]:
    """What a repair should be told about values used as a type they are not.

    PostgreSQL answers ``operator does not exist: bigint = text`` or ``function
    extract(unknown, bigint) does not exist`` without naming the column; a small model then
    guesses. This names it, with its type: a comparison of a number column with a text column,
    a date function or INTERVAL arithmetic on a column that holds a number or text (a year stored
    as an integer). Types from the schema, never data.

    >>> from vanna_magic.core.data.schema import Column, Table
    >>> tables = [Table("review", (Column("rid", "bigint"), Column("year", "bigint")))]
    >>> print(type_clashes("SELECT COUNT(*) FROM review r WHERE EXTRACT(YEAR FROM r.year) = 2021", "postgres",
    ...                    tables)[0])
    r.year is bigint, not a date or timestamp: EXTRACT does not apply; use its value as it is
    """
    from sqlglot import exp

    parsed = _scopes(sql, dialect)
    if parsed is None:
        return []
    _, scopes = parsed
    table_types = _column_types(tables)
    found: list[str] = []

    def say(line: str) -> None:
        if line not in found:
            found.append(line)

    for scope in scopes:
        def type_of(node: object, scope=scope) -> str | None:
            resolved = _resolve(node, scope, table_types) if isinstance(node, exp.Column) else None
            return None if resolved is None else resolved[1]

        own = {id(column) for column in scope.columns}
        for column in scope.columns:
            type_ = type_of(column)
            if _kind(type_) is None:
                continue
            parent = column.parent
            if isinstance(parent, exp.Extract) and parent.expression is column:
                say(f"{column.sql()} is {type_}, not a date or timestamp: EXTRACT does not apply; "
                    "use its value as it is")
            elif isinstance(parent, (exp.Add, exp.Sub)) and any(isinstance(side, exp.Interval)
                                                                 for side in (parent.this, parent.expression)):
                say(f"{column.sql()} is {type_}, not a date or timestamp: INTERVAL arithmetic does not apply")
            elif isinstance(parent, (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)) and parent.this is column:
                other = parent.expression
                other_type = type_of(other) if id(other) in own else None
                if {_kind(type_), _kind(other_type)} == {"number", "text"}:
                    say(f"{column.sql()} is {type_} and {other.sql()} is {other_type}: compare columns of the "
                        "same type (another key of the same type may be the one meant)")
        for node in scope.expression.find_all(exp.Sub, exp.Add):
            if (isinstance(node.expression, exp.Interval) and isinstance(node.this, exp.Literal)
                    and not node.this.is_string):
                say(f"{node.this.sql()} is a number: INTERVAL arithmetic needs a date or timestamp")
    return found


_DIVISION_BY_ZERO = re.compile(r"division by zero|divisor is equal to zero|divide by zero", re.IGNORECASE)


def contradictions(sql: str, dialect: str) -> list[str]:
    """What a repair of an empty result should be told about conditions no row can meet.

    ``WHERE mountain_name = 'Mount Everest' AND mountain_name = 'Dhaulagiri'`` asks one row to hold
    two values: a small model writes it for "compare A with B". From the query's text alone.

    >>> print(contradictions("SELECT a FROM m WHERE m.name = 'x' AND m.name = 'y'", "sqlite")[0][:60])
    m.name = 'x' AND m.name = 'y': no row holds both values; rea
    """
    from sqlglot import exp

    from ..guard.parsing import sqlglot_dialect

    parsed = _scopes(sql, dialect)
    if parsed is None:
        return []
    _, scopes = parsed
    write = sqlglot_dialect(dialect)
    lines: list[str] = []
    for scope in scopes:
        select = scope.expression
        if not isinstance(select, exp.Select):
            continue
        conditions = [select.args.get("where"), *(join.args.get("on") for join in select.args.get("joins") or [])]
        for condition in (c for c in conditions if c is not None):
            node = condition.this if isinstance(condition, exp.Where) else condition
            conjuncts = list(node.flatten()) if isinstance(node, exp.And) else [node]
            equalities: dict[str, list[tuple[str, exp.Expression]]] = {}  # column -> (value, conjunct)
            for conjunct in conjuncts:
                if not isinstance(conjunct, exp.EQ):
                    continue
                column, literal = conjunct.this, conjunct.expression
                if isinstance(column, exp.Literal):
                    column, literal = literal, column
                if isinstance(column, exp.Column) and isinstance(literal, exp.Literal):
                    equalities.setdefault(column.sql(dialect=write).lower(), []).append((literal.this, conjunct))
            for pairs in equalities.values():
                if len({value for value, _ in pairs}) > 1:  # the values, however written ('1' = 1 is one value)
                    written = " AND ".join(conjunct.sql(dialect=write) for _, conjunct in pairs)
                    lines.append(f"{written}: no row holds both values; read each from its own row (a self-join, "
                                 "or one subquery per value)")
    return lines


# A literal a model wrote in place of a value it was not given: 'YOUR_STATE', '%your_city%', '<city>',
# '{city}', '[name]', 'XXX', 'placeholder'. Read with the LIKE wildcards around it taken off.
_PLACEHOLDER = re.compile(
    r"your[ _-][a-z][a-z0-9_ -]*|(?:my|some|enter|insert)_[a-z][a-z0-9_]*|<[a-z_ ]+>|\{[a-z_ ]+\}|\[[a-z_ ]+\]|"
    r"x{3,}|placeholder|(?:value|string|text)[ _-]here",
    re.IGNORECASE)


def placeholders(sql: str, dialect: str, question: str = "") -> list[str]:
    """What a repair should be told about filters on placeholders, not values (in WHERE, ON, HAVING).

    A small model given an instruction ("filter the city with ILIKE") but no city writes
    ``city ILIKE '%your_city%'`` or ``state = 'YOUR_STATE'``: no row holds such a value. A
    literal the question itself contains is a value, never a placeholder. From the query's text alone.

    >>> print(placeholders("SELECT a FROM b WHERE city ILIKE '%your_city%'", "postgres", "average rating")[0][:60])
    '%your_city%' is a placeholder, not a value: filter on the v
    """
    from sqlglot import exp

    if not _PLACEHOLDER.search(sql or ""):  # the usual case, checked on every answer: no parse needed
        return []
    parsed = _scopes(sql, dialect)
    if parsed is None:
        return []
    asked = " ".join(_WORDS.findall(question.lower()))
    lines: list[str] = []
    for literal in parsed[0].find_all(exp.Literal, bfs=False):  # in the order they are written
        clause = literal.find_ancestor(exp.Where, exp.Having, exp.Join, exp.Select)
        text = literal.this if literal.is_string and not isinstance(clause, exp.Select) else ""
        core = text.strip().strip("%").strip()
        if not core or not _PLACEHOLDER.fullmatch(core):
            continue
        words = " ".join(_WORDS.findall(core.lower()))
        bracketed = core[0] in "<{[" and core[-1] in ">}]"  # the brackets mark it: "{city}" is no city
        if core.lower() in question.lower() or (not bracketed and words and f" {words} " in f" {asked} "):
            continue
        line = (f"'{text}' is a placeholder, not a value: filter on the value the question names, or leave the "
                "filter out when it names none")
        if line not in lines:
            lines.append(line)
    return lines


_WORDS = re.compile(r"[a-z0-9]+")


def zero_divisors(sql: str, dialect: str, error: str) -> list[str]:
    """What a repair should be told when the database refused to divide by zero: the divisors to guard.

    The database names no expression; a small model then often swaps the divisor's default
    (``COALESCE(x, 1)``) and fails again. This names each divisor that is not a constant or
    already guarded, and the usual guard: ``NULLIF(divisor, 0)``, a NULL ratio where there is nothing
    to divide by.

    >>> print(zero_divisors("SELECT a, SUM(x) * 1.0 / SUM(y) AS r FROM t GROUP BY a", "postgres",
    ...                     "division by zero")[0])
    SUM(y) may be 0: divide by NULLIF(SUM(y), 0) so that those rows give NULL
    """
    from sqlglot import exp

    from ..guard.parsing import sqlglot_dialect

    parsed = _scopes(sql, dialect) if _DIVISION_BY_ZERO.search(error or "") else None
    if parsed is None:
        return []
    found: list[str] = []
    for division in parsed[0].find_all(exp.Div):
        divisor = division.expression
        while isinstance(divisor, (exp.Paren, exp.Cast)) or (  # COALESCE(x, 1) is still 0 where x is
                isinstance(divisor, exp.Coalesce) and all(isinstance(e, exp.Literal) for e in divisor.expressions)):
            divisor = divisor.this
        if isinstance(divisor, (exp.Literal, exp.Nullif)):
            continue
        text = divisor.sql(dialect=sqlglot_dialect(dialect))
        line = f"{text} may be 0: divide by NULLIF({text}, 0) so that those rows give NULL"
        if line not in found:
            found.append(line)
    return found

