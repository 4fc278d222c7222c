"""Optional features and the extra that installs each.

The core install covers SQLite and the notebook. Database drivers and optional features are
extras of the package (``pip install "vanna-magic[postgres]"``); using one whose extra is
missing is one sentence naming the extra, never an ``ImportError``.

>>> EXTRAS["oracledb"].sentence
'install vanna-magic[oracle] to connect to Oracle'
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from .errors import ConfigurationError


@dataclass(frozen=True)
class Extra:
    """An optional module: the extra that installs it and what it is for (``to ...``)."""

    name: str
    purpose: str

    @property
    def sentence(self) -> str:
        return f"install vanna-magic[{self.name}] {self.purpose}"


# Top-level module -> the extra that provides it.
EXTRAS: dict[str, Extra] = {
    "psycopg": Extra("postgres", "to connect to PostgreSQL"),
    "adbc_driver_postgresql": Extra("postgres", "to read PostgreSQL results through Arrow"),
    "adbc_driver_manager": Extra("postgres", "to read PostgreSQL results through Arrow"),
    "pyarrow": Extra("postgres", "to read PostgreSQL results through Arrow"),
    "pymysql": Extra("mysql", "to connect to MySQL or MariaDB"),
    "oracledb": Extra("oracle", "to connect to Oracle"),
    "duckdb": Extra("duckdb", "to query DuckDB databases, DataFrames and CSV or Parquet files"),
    "plotly": Extra("charts", "to draw charts"),
    "cryptography": Extra("secrets", "to encrypt and decrypt ENC(...) secrets"),
}


def missing(module: str, *, setting: str | None = None) -> ConfigurationError:
    """The error for an optional module that is not installed (``module`` may be dotted)."""
    top = module.split(".")[0]
    extra = EXTRAS.get(top)
    if extra is None:
        return ConfigurationError(f"the Python module {top!r} is not installed", setting=setting,
                                  hint=f"Install the package that provides {top!r} into this environment.")
    return ConfigurationError(f"the module {top!r} is not installed: {extra.sentence}", setting=setting,
                              hint=f'pip install "vanna-magic[{extra.name}]"', extra=extra.name)


def require(module: str, *, setting: str | None = None) -> ModuleType:
    """Import an optional ``module``, or raise the one-sentence error naming its extra."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if (exc.name or module).split(".")[0] != module.split(".")[0] and exc.name is not None:
            raise  # the module is there but something it needs is broken: show what
        raise missing(module, setting=setting) from exc
