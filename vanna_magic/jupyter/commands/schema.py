"""``%vanna schema [TABLE] [--refresh]``."""

from __future__ import annotations

from . import command


def _arguments(parser) -> None:
    parser.add_argument("table", nargs="?", metavar="TABLE")
    parser.add_argument("--refresh", action="store_true", help="read the catalog again")


@command("schema", "the tables, or one table's columns", _arguments)
def schema(session, args):
    import pandas as pd

    tables = session.schema(args.table, refresh=args.refresh)
    if args.table is None:
        return pd.DataFrame([{"table": t.name, "columns": len(t.columns), "rows (estimate)": t.row_estimate,
                              "comment": t.comment or ""} for t in tables])
    t = tables[0]
    refs = {c: f"{fk.ref_table}.{fk.ref_columns[i]}" for fk in t.foreign_keys for i, c in enumerate(fk.columns)}
    return pd.DataFrame([{"column": c.name, "type": c.type, "nullable": c.nullable,
                          "primary key": c.name in t.primary_key or c.primary_key,
                          "references": refs.get(c.name, ""), "comment": c.comment or ""}
                         for c in t.columns])
