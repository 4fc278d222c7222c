"""Semantic YAML entries turned into what the rest of the engine reads.

Metrics, dimensions, glossary terms and relationships become :class:`Definition` objects;
a ``tables`` entry (an entity: a table with its description and column meanings) becomes a
:class:`Document` about that table, rendered as Markdown like a ``docs/<table>.md`` file, so
schema linking, ``%vanna docs`` and ``%vanna search`` treat both alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import PARSE_DIALECTS, Definition, Document

EXPECTED = {"tables": "a list of table names", "columns": "a mapping of column names to their meaning"}


def right_type(key: str, value: Any) -> bool:
    if key == "columns":
        return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, (str, type(None)))
                                               for k, v in value.items())
    if key == "tables":
        return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    return isinstance(value, str)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def make_entry(kind: str, values: dict[str, Any], path: Path) -> Definition | Document | str:
    """The :class:`Definition` (or table :class:`Document`) of one YAML entry, or why the entry is unusable."""
    where = str(path)
    if kind == "table":
        return _table_document(values, where)
    if kind == "glossary":
        term = _one_line(values["term"])
        meaning = _one_line(values["definition"])
        return Definition(kind, term, f"term {term}: {meaning}", path=where, description=meaning)
    if kind == "relationship":
        ends = [_one_line(values["from"]), _one_line(values["to"])]
        for end in ends:
            table, _, column = end.rpartition(".")
            if not table or not column:
                return f"relationship end {end!r} must be written 'table.column'"
        text = f"relationship {ends[0]} -> {ends[1]}"
        if values.get("description"):
            text += f" -- {_one_line(values['description'])}"
        tables = tuple(dict.fromkeys(end.rpartition(".")[0] for end in ends))
        return Definition(kind, f"{ends[0]} -> {ends[1]}", text, tables=tables, path=where,
                          description=_one_line(values["description"]) if values.get("description") else None)
    name, sql = _one_line(values["name"]), str(values["sql"]).strip()
    condition = _one_line(values["filter"]) if values.get("filter") else None
    text = f"{kind} {name} = {_one_line(sql)}"
    if condition:
        text += f" WHERE {condition}"
    text += f" -- {_one_line(values['description'])}"
    listed = values.get("tables")
    if isinstance(listed, str):
        tables = (listed,)
    elif listed:
        tables = tuple(listed)
    else:
        tables = _tables_of_expression(sql, condition)
    return Definition(kind, name, text, sql=sql, tables=tables, path=where,
                      description=_one_line(values["description"]), filter=condition)


def _tables_of_expression(sql: str, condition: str | None) -> tuple[str, ...]:
    """Table qualifiers used by a metric or dimension expression (``orders.amount`` -> ``orders``)."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    statement = f"SELECT {sql}" + (f" WHERE {condition}" if condition else "")
    for dialect in PARSE_DIALECTS:
        try:
            tree = sqlglot.parse_one(statement, read=dialect)
        except (ParseError, TokenError):
            continue
        names = [c.table for c in tree.find_all(exp.Column) if c.table]
        names += [t.name for t in tree.find_all(exp.Table) if t.name]
        return tuple(dict.fromkeys(names))
    return ()


def _table_document(values: dict[str, Any], where: str) -> Document:
    name = _one_line(values["name"])
    lines = [f"# {name}", "", _one_line(values["description"]), ""]
    columns = values.get("columns") or {}
    if columns:
        lines += ["| column | meaning |", "|---|---|"]
        lines += [f"| `{column}` | {_one_line(meaning or '').replace('|', chr(92) + '|')} |"
                  for column, meaning in columns.items()]
    return Document(title=name, text="\n".join(lines).rstrip() + "\n", path=where, table=name.rpartition(".")[2])
