"""The benchmark's databases, built once and reused.

SQLite: a defog ``sqlite.sql`` is run into ``<cache>/<db>-<digest>.sqlite`` (the digest is the
script's, so an edited script builds a new file); a Spider database file is used as it is.
PostgreSQL: ``postgres.sql`` is loaded into a database named ``vanna_bench_<db>``, marked
complete with a database comment holding the script's digest; a database with the right
comment is reused, any other one of that name is dropped and loaded again.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import tempfile
from pathlib import Path

from .datasets import BenchError, DatabaseFiles

PREFIX = "vanna_bench_"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def sqlite_url(files: DatabaseFiles, cache_dir: Path) -> str:
    """A SQLAlchemy URL of the SQLite version of ``files``, built into ``cache_dir`` when needed."""
    if files.sqlite_file is not None:
        return f"sqlite:///{Path(files.sqlite_file).resolve()}"
    assert files.sqlite_script is not None
    cache_dir = Path(cache_dir)
    target = cache_dir / f"{files.name}-{digest(files.sqlite_script)}.sqlite"
    if not target.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=f".{files.name}-", suffix=".tmp")
        os.close(fd)
        try:
            conn = sqlite3.connect(tmp)
            try:
                conn.executescript(files.sqlite_script.read_text(encoding="utf-8"))
                conn.commit()
            finally:
                conn.close()
            os.replace(tmp, target)
        except sqlite3.Error as exc:
            raise BenchError(f"{files.sqlite_script} does not run in SQLite: {exc}") from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return f"sqlite:///{target.resolve()}"


def postgres_name(db: str) -> str:
    return PREFIX + re.sub(r"[^a-z0-9_]+", "_", db.lower())


def conninfo(server: str, dbname: str | None = None) -> dict:
    """psycopg's connection keywords for the SQLAlchemy URL ``server`` (its database, or ``dbname``).

    Raises:
        BenchError: ``server`` is not a database URL.
    """
    from sqlalchemy.engine import make_url

    from vanna_magic.core.config import redact

    try:
        parsed = make_url(server)
    except Exception:
        raise BenchError(f"--postgres {redact(server)} is not a database URL") from None
    return {k: v for k, v in {"host": parsed.host or "127.0.0.1", "port": parsed.port or 5432,
                              "user": parsed.username, "password": parsed.password,
                              "dbname": dbname or parsed.database or "postgres", "connect_timeout": 5}.items()
            if v is not None}


def postgres_url(files: DatabaseFiles, server: str = DEFAULT_SERVER) -> str:
    """A SQLAlchemy URL of ``vanna_bench_<db>`` on ``server``, loaded from ``postgres.sql`` unless already complete."""
    import psycopg
    from sqlalchemy.engine import make_url

    from vanna_magic.core.config import redact

    assert files.postgres_script is not None
    name = postgres_name(files.name)
    marker = f"vanna-magic accuracy benchmark {digest(files.postgres_script)}"
    kwargs = conninfo(server)
    parsed = make_url(server)
    try:
        with psycopg.connect(**kwargs, autocommit=True) as admin:
            row = admin.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                                (name,)).fetchone()
            if row is None or row[0] != marker:
                if row is not None:
                    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{name}"')
                try:
                    with psycopg.connect(**{**kwargs, "dbname": name}, autocommit=True) as conn:
                        conn.execute(files.postgres_script.read_text(encoding="utf-8"))
                        conn.execute("ANALYZE")
                except psycopg.Error as exc:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    raise BenchError(f"{files.postgres_script} does not load into PostgreSQL: "
                                     f"{_first_line(exc)}") from None
                admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{marker}'")
    except psycopg.OperationalError as exc:
        raise BenchError(f"PostgreSQL at {redact(server)} does not answer: {_first_line(exc)}") from None
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_postgres(db: str, server: str = DEFAULT_SERVER) -> None:
    """Drop ``vanna_bench_<db>`` (tests clean up with it)."""
    import psycopg

    with psycopg.connect(**conninfo(server), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{postgres_name(db)}" WITH (FORCE)')


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
