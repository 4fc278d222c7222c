"""The sidebar contract: every comm message between the JupyterLab sidebar and the kernel, typed once.

A request is ``{id, op, args}``; its reply is ``{id, ok: true, result}`` or
``{id, ok: false, error: {message, hint, kind}}``. :data:`RECORDS` and :data:`OPS` below
are the single Python source of the contract: :func:`typescript` renders them as the
TypeScript declarations between the ``BEGIN CONTRACT`` / ``END CONTRACT`` markers of
``labextension/src/tokens.ts``, and a test fails when the two differ. Regenerate with
``python -m vanna_magic.jupyter.protocol labextension/src/tokens.ts``.

>>> validate_args("search", {"text": "revenue"})
{'text': 'revenue'}
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import ProtocolError

PROTOCOL_VERSION = 1
COMM_TARGET = "vanna_magic"


@dataclass(frozen=True)
class Field:
    """One key of a record or of an op's arguments; ``type`` is a TypeScript type expression."""

    name: str
    type: str
    optional: bool = False


def _fields(spec: str) -> tuple[Field, ...]:
    """``"name: string; size?: number"`` -> fields (the same spelling as the TypeScript it becomes)."""
    fields = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        name, type_ = (s.strip() for s in part.split(":", 1))
        fields.append(Field(name.rstrip("?"), type_, name.endswith("?")))
    return tuple(fields)


RECORDS: dict[str, tuple[Field, ...]] = {
    "ErrorInfo": _fields("message: string; hint: string | null; kind: string"),
    "Column": _fields("name: string; type: string; nullable: boolean; primary_key: boolean; comment: string | null"),
    "ForeignKey": _fields("columns: string[]; ref_table: string; ref_columns: string[]"),
    "Table": _fields("name: string; schema: string | null; comment: string | null; row_estimate: number | null; "
                     "primary_key: string[]; columns: Column[]; foreign_keys: ForeignKey[]"),
    "SchemaResult": _fields("connection: string; dialect: string; tables: Table[]"),
    "Definition": _fields("kind: string; name: string; text: string; sql: string | null; tables: string[]"),
    "DocumentInfo": _fields("title: string; text: string; table: string | null; path: string | null"),
    "DocsResult": _fields("definitions: Definition[]; documents: DocumentInfo[]; problems: string[]"),
    "SearchHit": _fields("kind: string; name: string; snippet: string; score: number"),
    "SearchResult": _fields("text: string; hits: SearchHit[]"),
    "Breaker": _fields("name: string; state: string; failures: number"),
    "Latency": _fields("name: string; seconds: number; p95_seconds: number"),
    "HealthResult": _fields("mode: string; mode_reason: string | null; unavailable: string[]; "
                            "score: number | null; connection: string; demo: boolean; "
                            "database: string; database_error: string | null; dialect: string | null; "
                            "model: string | null; index: string; breakers: Breaker[]; latencies: Latency[]; "
                            "errors: string[]; next_step: string | null; examples: number; definitions: number; "
                            "documents: number; problems: string[]"),
    "BreakerResetResult": _fields("name: string; state: string"),
}

# op -> (argument fields, result record)
OPS: dict[str, tuple[tuple[Field, ...], str]] = {
    "schema": (_fields("refresh?: boolean; table?: string"), "SchemaResult"),
    "docs": (_fields(""), "DocsResult"),
    "search": (_fields("text: string; limit?: number"), "SearchResult"),
    "health": (_fields(""), "HealthResult"),
    "breaker_reset": (_fields("name: string"), "BreakerResetResult"),
}

_CHECKS = {"string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
           "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)}


def validate_args(op: str, args: Any) -> dict[str, Any]:
    """The arguments of ``op`` checked against the contract; raises :class:`ProtocolError` naming the problem."""
    if op not in OPS:
        raise ProtocolError(f"unknown op {op!r}", hint=f"ops: {', '.join(OPS)}")
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise ProtocolError(f"args of {op!r} must be an object, got {type(args).__name__}",
                            hint="send args as a JSON object, e.g. {}")
    fields = {f.name: f for f in OPS[op][0]}
    unknown = sorted(set(args) - set(fields))
    if unknown:
        raise ProtocolError(f"unknown argument {unknown[0]!r} for {op!r}",
                            hint=f"arguments of {op!r}: {', '.join(fields) or 'none'}")
    for field in fields.values():
        if field.name not in args:
            if not field.optional:
                raise ProtocolError(f"{op!r} needs the argument {field.name!r}", hint=f"{field.name}: {field.type}")
            continue
        if not _CHECKS[field.type](args[field.name]):
            raise ProtocolError(f"argument {field.name!r} of {op!r} must be a {field.type}, "
                                f"got {type(args[field.name]).__name__}", hint=f"{field.name}: {field.type}")
    return args


def check_result(op: str, result: dict[str, Any]) -> dict[str, Any]:
    """Assert that ``result`` has exactly the keys the contract promises for ``op`` (a guard for tests)."""
    expected = {f.name for f in RECORDS[OPS[op][1]]}
    if set(result) != expected:
        raise AssertionError(f"{op}: result keys {sorted(result)} differ from the contract {sorted(expected)}")
    return result


def typescript() -> str:
    """The contract as TypeScript declarations (the generated block of ``tokens.ts``)."""
    lines = [f"export const PROTOCOL_VERSION = {PROTOCOL_VERSION};", f"export const COMM_TARGET = '{COMM_TARGET}';"]
    for name, fields in RECORDS.items():
        lines += ["", f"export interface {name} {{"]
        lines += [f"  {f.name}{'?' if f.optional else ''}: {f.type};" for f in fields]
        lines.append("}")
    lines += ["", "export interface OpArgs {"]
    for op, (fields, _result) in OPS.items():
        body = " ".join(f"{f.name}{'?' if f.optional else ''}: {f.type};" for f in fields)
        lines.append(f"  {op}: {{ {body} }};" if body else f"  {op}: Record<string, never>;")
    lines += ["}", "", "export interface OpResults {"]
    lines += [f"  {op}: {result};" for op, (_fields_, result) in OPS.items()]
    lines += ["}", "", "export type Op = keyof OpArgs;", "",
              f"export const OPS: readonly Op[] = [{', '.join(repr(op) for op in OPS)}];"]
    return "\n".join(lines) + "\n"


_BLOCK = re.compile(r"(// BEGIN CONTRACT[^\n]*\n)(.*?)(// END CONTRACT)", re.S)


def contract_block(source: str) -> str:
    """The generated block of a ``tokens.ts`` source; raises ``ValueError`` when the markers are missing."""
    match = _BLOCK.search(source)
    if match is None:
        raise ValueError("tokens.ts has no '// BEGIN CONTRACT' ... '// END CONTRACT' block")
    return match.group(2)


def write_typescript(path: Path) -> None:
    """Replace the generated block of ``path`` (a ``tokens.ts``) with :func:`typescript`."""
    source = path.read_text()
    contract_block(source)
    path.write_text(_BLOCK.sub(lambda m: m.group(1) + typescript() + m.group(3), source, count=1))


if __name__ == "__main__":
    write_typescript(Path(sys.argv[1]))
