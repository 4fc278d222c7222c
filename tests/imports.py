"""The imports of the package's modules, counted as ``house-check`` counts them.

Every ``import`` and ``from ... import`` of a module: at its top, inside functions and under
``TYPE_CHECKING`` alike, relative imports resolved to absolute names.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "vanna_magic"


@dataclass(frozen=True)
class Import:
    """One imported name: the module it comes from, and where the import is written."""

    target: str  # absolute dotted name: a module of ours when the name is one, else its package
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path.relative_to(PACKAGE.parent)}:{self.line} imports {self.target}"


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name, not ``__init__``)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> list[Import]:
    """What module ``name`` (at ``path``) imports; ``known`` tells our modules from other names."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, path, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            prefix = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                child = f"{prefix}.{alias.name}"
                found.append(Import(child if child in known else prefix, path, node.lineno))
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports."""
    known = modules(root)
    return {name: {i.target for i in imports(name, path, known) if i.target in known and i.target != name}
            for name, path in known.items()}
