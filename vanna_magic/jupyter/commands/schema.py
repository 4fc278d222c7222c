"""``%vanna schema [TABLE] [--match TEXT] [--page N] [--refresh]``."""

from __future__ import annotations

from ..options import positive_int
from . import command

PER_PAGE = 50


def _arguments(parser) -> None:
    parser.add_argument("table", nargs="?", metavar="TABLE")
    parser.add_argument("--match", metavar="TEXT", help="only tables whose schema.table contains TEXT")
    parser.add_argument("--page", type=positive_int, default=1, metavar="N", help=f"page N, {PER_PAGE} a page")
    parser.add_argument("--refresh", action="store_true", help="read the catalog again")


@command("schema", "the tables, a page at a time, or one table's columns", _arguments)
def schema(session, args):
    import pandas as pd

    tables = session.schema(args.table, refresh=args.refresh)
    if args.table is None:
        found = session.schema_page(args.match, page=args.page, per_page=PER_PAGE)
        print(f"page {found.page} of {found.pages} ({found.total} tables in {found.schemas} schemas"
              f"{' matching ' + repr(args.match) if args.match else ''})"
              + ("; --page N for more, --match TEXT to narrow" if found.pages > 1 else ""))
        return pd.DataFrame([{"schema": t.schema or "", "table": t.name, "columns": len(t.columns),
                              "rows (estimate)": t.row_estimate, "comment": t.comment or ""} for t in found.tables],
                            columns=["schema", "table", "columns", "rows (estimate)", "comment"])
    t = tables[0]
    refs = {c: f"{fk.ref_table}.{fk.ref_columns[i]}" for fk in t.foreign_keys for i, c in enumerate(fk.columns)}
    return pd.DataFrame([{"column": c.name, "type": c.type, "nullable": c.nullable,
                          "primary key": c.name in t.primary_key or c.primary_key,
                          "references": refs.get(c.name, ""), "comment": c.comment or ""}
                         for c in t.columns])
