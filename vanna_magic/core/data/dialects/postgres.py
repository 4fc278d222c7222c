"""PostgreSQL's catalog in five bulk queries over ``pg_catalog``, cheap on schemas of thousands of tables.

The queries return raw catalog values (oids, attribute numbers, type oids) and Python joins
them: per-row ``format_type()``, ``col_description()`` and key-column subqueries cost more
than the rest of the work together on a 20,000-column schema (see ``bench/catalog_scale.py``).
Only the schemas of the search path are read, without the system ones.
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..catalog import Table

_SCHEMAS = (r"{n}.nspname = ANY (current_schemas(false)) AND {n}.nspname <> 'information_schema' "
            r"AND {n}.nspname NOT LIKE 'pg\_%'")
_RELATIONS = "c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition AND " + _SCHEMAS.format(n="n")
_FROM_RELATIONS = "pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace"
TABLES = f"""
SELECT c.oid, n.nspname, c.relname, c.relkind, d.description,
       CASE WHEN c.relkind IN ('r', 'm') AND c.reltuples >= 0 THEN c.reltuples::bigint END
FROM {_FROM_RELATIONS}
LEFT JOIN pg_description AS d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE {_RELATIONS}
ORDER BY array_position(current_schemas(false), n.nspname), c.relname"""
_ATTRIBUTES = f"""
FROM pg_attribute AS a JOIN {_FROM_RELATIONS} ON c.oid = a.attrelid
WHERE a.attnum > 0 AND NOT a.attisdropped AND {_RELATIONS}"""
COLUMNS = "SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull" + _ATTRIBUTES
TYPES = ("SELECT t.atttypid, t.atttypmod, format_type(t.atttypid, t.atttypmod) "
         f"FROM (SELECT DISTINCT a.atttypid, a.atttypmod {_ATTRIBUTES}) AS t")
COLUMN_COMMENTS = f"""
SELECT d.objoid, d.objsubid, d.description
FROM pg_description AS d JOIN {_FROM_RELATIONS} ON c.oid = d.objoid
WHERE d.classoid = 'pg_class'::regclass AND d.objsubid > 0 AND {_RELATIONS}"""
# Referenced columns are named here only when the referenced table is not one we read (another schema).
# conparentid = 0: a key into a partitioned table, not its copies into each partition (PostgreSQL >= 11).
CONSTRAINTS = f"""
SELECT con.conrelid, con.contype, con.conkey, con.confrelid, con.confkey, rn.nspname, rc.relname,
       CASE WHEN con.contype = 'f' AND NOT ({_SCHEMAS.format(n="rn")} AND NOT rc.relispartition) THEN
         ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute AS a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) END
FROM pg_constraint AS con JOIN {_FROM_RELATIONS} ON c.oid = con.conrelid
LEFT JOIN pg_class AS rc ON rc.oid = con.confrelid LEFT JOIN pg_namespace AS rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'f') AND con.conparentid = 0 AND {_SCHEMAS.format(n="n")}
ORDER BY con.conrelid, con.conname"""
QUERIES = (TABLES, COLUMNS, TYPES, COLUMN_COMMENTS, CONSTRAINTS)
_KINDS = {"v": "view", "m": "materialized view", "f": "foreign table"}


def read_tables(db: Any) -> "list[Table]":
    from ..catalog import _rows

    with db.reading() as conn:
        results = [_rows(conn, sql) for sql in QUERIES]
    return assemble(*results)


def assemble(tables: list[tuple], columns: list[tuple], types: list[tuple], comments: list[tuple],
             constraints: list[tuple]) -> "list[Table]":
    """Tables from the rows of :data:`QUERIES`, in that order."""
    from ..catalog import ForeignKey, _Draft, _qualified

    drafts: dict[int, _Draft] = {}
    for oid, schema, name, relkind, comment, estimate in tables:
        draft = drafts[oid] = _Draft(schema, name, _KINDS.get(relkind, "table"))
        draft.comment, draft.row_estimate = comment, estimate
    type_names = {(typid, typmod): name for typid, typmod, name in types}
    column_comments = {(oid, attnum): text for oid, attnum, text in comments}
    names: dict[tuple[int, int], str] = {}
    for oid, attnum, name, typid, typmod, notnull in sorted(columns, key=itemgetter(0, 1)):
        names[(oid, attnum)] = name
        draft = drafts.get(oid)
        if draft is not None:
            draft.columns.append((name, type_names[(typid, typmod)], not notnull, column_comments.get((oid, attnum))))
    for oid, kind, key, ref_oid, ref_key, ref_schema, ref_name, ref_names in constraints:
        draft = drafts.get(oid)
        if draft is None:
            continue
        columns_ = tuple(names[(oid, attnum)] for attnum in key)
        if kind == "p":
            draft.primary_key = columns_
        else:
            ref_columns = tuple(ref_names) if ref_names is not None else tuple(names[(ref_oid, n)] for n in ref_key)
            draft.foreign_keys.append(ForeignKey(columns_, _qualified(ref_schema, ref_name, "postgres"), ref_columns))
    return [draft.table() for draft in drafts.values()]
