"""Database comments: ``COMMENT ON TABLE/COLUMN`` (and foreign keys) read through the :class:`Catalog`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from . import ColumnInfo, Imported, file_name, semantic_yaml, table_doc, write_files

if TYPE_CHECKING:
    from ...data.schema import Table


def import_comments(tables: Sequence["Table"], root: Path, *, source: str = "comments",
                    force: bool = False) -> Imported:
    """Write ``docs/<table>.md`` for each table with a comment, and the foreign keys as relationships.

    Tables without any table or column comment get no document (it would only repeat the schema).
    """
    result = Imported()
    files: dict[str, str] = {}
    relationships = []
    for table in tables:
        name = f"{table.schema}.{table.name}" if table.schema and table.schema not in ("main", "public") \
            else table.name
        if table.comment or any(c.comment for c in table.columns):
            files[f"docs/{file_name(name)}.md"] = table_doc(
                source, table.name, table.comment or "",
                [ColumnInfo(c.name, c.type, c.comment or "") for c in table.columns])
        else:
            result.skipped.append(f"table {name}: no comments")
        for fk in table.foreign_keys:
            for column, ref_column in zip(fk.columns, fk.ref_columns):
                relationships.append({"from": f"{table.name}.{column}",
                                      "to": f"{fk.ref_table.rpartition('.')[2]}.{ref_column}"})
    if relationships:
        files["semantic/comments.yaml"] = semantic_yaml(source, {"relationships": relationships})
    result.files = write_files(root, files, force=force)
    return result
