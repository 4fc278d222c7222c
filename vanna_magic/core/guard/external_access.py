"""DuckDB's reach beyond its tables: file, network and SQL-string readers, and files named as tables.

One rule, ``external_access``, checked on DuckDB's trees before any other function rule: a call to a
function that reads files or the network, runs SQL held in a string, reads secrets or the environment,
or changes the engine (``read_csv``, ``read_parquet``, ``glob``, ``query``, ``pragma_*``...), and a
table named like a file (``FROM 'data.csv'``: DuckDB's replacement scan reads the file) are refused.
Statements (``COPY``, ``ATTACH``, ``INSTALL``, ``SET``...) are refused by the statement rules.

DuckDB's own locks hold below this rule (:mod:`vanna_magic.core.data.duckdb_database`): a statement
that slipped past it still could not read a file or change a setting.

>>> from sqlglot import parse_one
>>> check(parse_one("SELECT * FROM 'data.csv'", read="duckdb"))
Traceback (most recent call last):
...
vanna_magic.core.guard.verdict.Rejection: "data.csv" names a file; on DuckDB a query reads only the connection's tables
"""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING

from .parsing import render
from .verdict import Rejection

if TYPE_CHECKING:
    from sqlglot import exp

DIALECT = "duckdb"
RULE = "external_access"
# Readers of files and the network, SQL in a string, secrets and the environment, engine controls.
_FUNCTIONS = """
read_* *_scan *_scan_* glob sniff_csv parquet_* iceberg_* delta_* getenv query query_table pragma_*
duckdb_secrets which_secret load_aws_credentials *_attach *_query *_execute from_substrait* get_substrait*
json_execute_serialized_sql http* checkpoint force_checkpoint enable_logging disable_logging truncate_duckdb_logs
enable_profiling disable_profiling
"""
_PATTERN = re.compile("|".join(fnmatch.translate(p) for p in _FUNCTIONS.split()))
_PATH_CHARACTERS = set("./\\*?:~")
_HINT = "Query the tables, DataFrames and files of the connection by their names; other files are out of reach."


def check(root: "exp.Expression") -> None:
    """Raise :class:`Rejection` for the first call or table in ``root`` that reaches beyond DuckDB's tables."""
    from sqlglot import exp

    for node in root.walk():
        if isinstance(node, exp.Func):
            name = _reaching_name(node)
            if name is not None:
                called = render(node, DIALECT, 200)
                raise Rejection(RULE, f"{name.lower()}() reaches files, the network or the engine's settings; on "
                                "DuckDB a query reads only the connection's tables", node=called, hint=_HINT)
        elif isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier) and not node.args.get("db"):
            if _PATH_CHARACTERS & set(node.name):
                raise Rejection(RULE, f'"{node.name}" names a file; on DuckDB a query reads only the connection\'s '
                                "tables", node=render(node, DIALECT, 200), hint=_HINT)


def _reaching_name(node: "exp.Expression") -> str | None:
    from .functions import call_names

    for name in call_names(node):
        if _PATTERN.match(name.lower()):
            return name
    return None
