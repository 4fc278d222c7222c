"""What differs per database engine, one module each, and the one table of their names.

Every engine the data layer knows is a :class:`~vanna_magic.core.data.dialects.base.Dialect`:
SQLite, PostgreSQL, MySQL and MariaDB, Oracle, DuckDB (reached through its own Python API), and any
other engine with a SQLAlchemy dialect (generic: a rolled-back transaction and SQLAlchemy's reflection).
:func:`for_backend` picks one by SQLAlchemy backend name; :func:`sqlglot_name` and :func:`title` name any
dialect, however it is written (``postgresql+psycopg``, ``postgres``, ``pg``).

>>> for_backend("postgresql").name, for_backend("mariadb").title, for_backend("snowflake").name
('postgres', 'MariaDB', 'snowflake')
>>> sqlglot_name("postgresql+psycopg"), title("sqlite")
('postgres', 'SQLite')
"""

from __future__ import annotations

from .base import Dialect
from .duckdb import DuckDB
from .mysql import MariaDB, MySQL
from .oracle import Oracle
from .postgres import PostgreSQL
from .sqlite import SQLite

# SQLAlchemy backend name -> the dialect that serves it.
_ENGINES: dict[str, Dialect] = {"sqlite": SQLite(), "postgresql": PostgreSQL(), "mysql": MySQL(),
                                "mariadb": MariaDB(), "oracle": Oracle(),
                                "duckdb": DuckDB()}
# Every other way to name a dialect -> sqlglot's name (SQLAlchemy backends we reach generically included).
_SQLGLOT = {"postgresql": "postgres", "pg": "postgres", "psql": "postgres", "mariadb": "mysql", "mssql": "tsql",
            "sqlserver": "tsql"}
# sqlglot's name -> the name people know the dialect by.
_TITLES = {"sqlite": "SQLite", "postgres": "PostgreSQL", "mysql": "MySQL", "oracle": "Oracle", "duckdb": "DuckDB",
           "tsql": "Microsoft SQL Server (T-SQL)", "snowflake": "Snowflake", "bigquery": "BigQuery",
           "redshift": "Amazon Redshift", "trino": "Trino", "presto": "Presto", "clickhouse": "ClickHouse",
           "databricks": "Databricks",
           "hive": "Hive", "teradata": "Teradata"}
# SQLAlchemy backend name -> the URL scheme with the driver we support, for URLs written without one.
DEFAULT_DRIVERS = {"postgres": "postgresql+psycopg", **{backend: engine.driver for backend, engine in _ENGINES.items()
                                                        if engine.driver}}


def sqlglot_name(name: str) -> str:
    """sqlglot's name of a dialect written any way: ``postgresql+psycopg`` -> ``postgres``."""
    key = (name or "").split("+", 1)[0].strip().lower()
    return _SQLGLOT.get(key, key)


def title(name: str) -> str:
    """The name people know a dialect by (``PostgreSQL``), or ``standard SQL`` for none."""
    key = sqlglot_name(name)
    return _TITLES.get(key, key or "standard SQL")


def for_backend(backend: str) -> Dialect:
    """The dialect serving a SQLAlchemy backend; a generic one for engines without their own module."""
    engine = _ENGINES.get(backend)
    if engine is not None:
        return engine
    key = sqlglot_name(backend)
    return Dialect(key, _TITLES.get(key, key))


__all__ = ["DEFAULT_DRIVERS", "Dialect", "for_backend", "sqlglot_name", "title"]
