"""Column-description files: ``{"table_metadata": {table: [{column_name, data_type, column_description}]},
"glossary": "..."}`` (the ``metadata.json`` of the defog benchmark databases)."""

from __future__ import annotations

from pathlib import Path

from ...errors import KnowledgeBaseError
from . import ColumnInfo, Imported, file_name, read_json, table_doc, write_files


def import_metadata(path: Path, root: Path, *, force: bool = False) -> Imported:
    """Write ``docs/<table>.md`` per table of ``path`` (and ``docs/glossary.md`` from its glossary) under ``root``."""
    path = Path(path)
    data = read_json(path, "metadata file")
    tables = data.get("table_metadata") if isinstance(data, dict) else None
    if not isinstance(tables, dict):
        raise KnowledgeBaseError("expected an object with a 'table_metadata' object of tables", path=str(path),
                                 line=1, hint='The format is {"table_metadata": {"table": [{"column_name": ...}]}}.')
    source = f"metadata {path.name}"
    result = Imported()
    files: dict[str, str] = {}
    for table, columns in tables.items():
        if not isinstance(columns, list):
            result.skipped.append(f"table {table!r}: expected a list of columns")
            continue
        infos = []
        for column in columns:
            if not isinstance(column, dict) or not column.get("column_name"):
                result.skipped.append(f"table {table!r}: a column without 'column_name'")
                continue
            infos.append(ColumnInfo(str(column["column_name"]), str(column.get("data_type") or ""),
                                    str(column.get("column_description") or "")))
        files[f"docs/{file_name(table)}.md"] = table_doc(source, table, "", infos)
    glossary = data.get("glossary")
    if isinstance(glossary, str) and glossary.strip():
        files["docs/glossary.md"] = table_doc(source, "glossary", "", []).replace(
            "# glossary\n", "# Glossary\n", 1) + glossary.strip() + "\n"
    result.files = write_files(root, files, force=force)
    return result
