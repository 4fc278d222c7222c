"""``files:`` connections: CSV and Parquet files named by path or glob, each a view.

``files:data/*.parquet,lookup.csv`` names files separated by commas; a glob (``*``, ``?``, ``[...]``,
``**``) stands for every file it matches, relative paths are read from the current folder.

The view names, a rule you can predict:

1. ``name=path`` names the view yourself (``files:orders=data/2024.parquet``).
2. Otherwise the file's name without its extension, in lower case, every character that is not a
   letter, digit or ``_`` made ``_`` (and ``_`` in front of a leading digit): ``Sales 2024.csv`` -> ``sales_2024``.
3. When two files would get the same name (``a/sales.csv`` and ``b/sales.csv``), each of them is named
   after its folder and itself: ``a_sales``, ``b_sales``. If that still collides, connecting fails and
   names the files: give them names with ``name=path``.

>>> from pathlib import Path
>>> sorted(view_names([Path("a/sales.csv"), Path("b/sales.csv"), Path("Lookup Table.parquet")]))
['a_sales', 'b_sales', 'lookup_table']
"""

from __future__ import annotations

import glob
import re
from pathlib import Path

from ..errors import ConfigurationError

PREFIX = "files:"
SUFFIXES = {".csv": "CSV", ".tsv": "CSV", ".parquet": "Parquet", ".pq": "Parquet"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_EXAMPLE = "e.g. files:data/*.parquet,lookup.csv"


def is_files(value: str) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(PREFIX)


def parse_files(value: str, base: Path | None = None) -> dict[str, Path]:
    """The views a ``files:`` connection names: view name -> absolute path of a CSV or Parquet file."""
    spec = value.strip()[len(PREFIX):]
    items = [item.strip() for item in spec.split(",") if item.strip()]
    if not items:
        raise ConfigurationError("files: names no file", setting="connection", hint=f"Name CSV or Parquet files, "
                                 f"{_EXAMPLE}.")
    root = Path.cwd() if base is None else base
    named: dict[str, Path] = {}
    unnamed: list[Path] = []
    for item in items:
        name, _, pattern = item.rpartition("=") if "=" in item else ("", "", item)
        name = name.strip()
        if name and not _NAME.match(name):
            raise ConfigurationError(f"{name!r} cannot name a table: use letters, digits and '_'",
                                     setting="connection", hint="Write e.g. files:orders=data/orders.parquet.")
        paths = _expand(pattern.strip(), root)
        if name:
            if len(paths) > 1:
                raise ConfigurationError(f"{name}={pattern} matches {len(paths)} files; a name is for one file",
                                         setting="connection", hint="Name each file, or leave the name out.")
            named[name] = paths[0]
        else:
            unnamed.extend(paths)
    chosen = view_names(unnamed, reserved=set(name.lower() for name in named))
    for name, path in named.items():
        if name.lower() in chosen:
            raise ConfigurationError(f"two views would be named {name}", setting="connection",
                                     hint="Give another name with name=path.")
        chosen[name] = path
    return chosen


def view_names(paths: list[Path], reserved: set[str] | None = None) -> dict[str, Path]:
    """Each file's view name by the rule of this module (steps 2 and 3); names are compared case-insensitively."""
    reserved = reserved or set()
    unique = list(dict.fromkeys(paths))
    first = {path: _identifier(path.stem) for path in unique}
    counts: dict[str, int] = {}
    for name in first.values():
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    chosen: dict[str, Path] = {}
    for path in unique:
        name = first[path]
        if counts[name.lower()] > 1 or name.lower() in reserved:
            name = _identifier(f"{path.parent.name}_{path.stem}")
        if name.lower() in {n.lower() for n in chosen} or name.lower() in reserved:
            clash = next((p for n, p in chosen.items() if n.lower() == name.lower()), None)
            others = f"{clash} and {path}" if clash else str(path)
            raise ConfigurationError(f"{others} would both be named {name}", setting="connection",
                                     hint=f"Name them yourself, e.g. files:{name}_1={path}.")
        chosen[name] = path
    return chosen


def _expand(pattern: str, root: Path) -> list[Path]:
    if not pattern:
        raise ConfigurationError("an empty file name in files:", setting="connection", hint=f"Write {_EXAMPLE}.")
    full = Path(pattern).expanduser()
    full = full if full.is_absolute() else root / full
    if glob.has_magic(pattern):
        paths = sorted(Path(p) for p in glob.glob(str(full), recursive=True) if Path(p).is_file())
        if not paths:
            raise ConfigurationError(f"no file matches {pattern}", setting="connection",
                                     hint=f"Check the pattern; it is read from {root}.")
    else:
        if not full.is_file():
            raise ConfigurationError(f"there is no file {pattern}", setting="connection",
                                     hint=f"Check the path; it is read from {root}.")
        paths = [full]
    for path in paths:
        if path.suffix.lower() not in SUFFIXES:
            raise ConfigurationError(f"{path.name} is neither a CSV nor a Parquet file", setting="connection",
                                     hint="Name files ending in .csv, .tsv, .parquet or .pq.")
    return [path.absolute() for path in paths]


def _identifier(text: str) -> str:
    name = re.sub(r"[^a-z0-9_]", "_", text.lower())
    return f"_{name}" if not name or name[0].isdigit() else name
