"""What a connection value opens: a database by SQLAlchemy URL, or DuckDB in-process.

- ``duckdb:///path/file.duckdb`` (read-only) and ``duckdb:///:memory:``;
- ``dataframes``: the DataFrames a frames source gives (the notebook's namespace, or ``frames=``);
- ``files:data/*.parquet,lookup.csv``: CSV and Parquet files, each a view (:mod:`.files`).

Every other value is a SQLAlchemy URL for :class:`~vanna_magic.core.data.database.Database`.

>>> is_source("dataframes"), is_source("files:a.csv"), is_source("duckdb:///:memory:"), is_source("sqlite://")
(True, True, True, False)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..errors import ConfigurationError
from .files import is_files, parse_files
from .frames import FRAMES

if TYPE_CHECKING:
    from .database import Database
    from .duckdb_database import DuckDBDatabase

FramesSource = Callable[[], Mapping[str, Any]]


def is_source(value: str) -> bool:
    """Whether ``value`` names an in-process DuckDB source rather than a SQLAlchemy URL or a connection name."""
    text = (value or "").strip()
    return text.lower() == FRAMES or is_files(text) or text.lower().startswith("duckdb:")


def open_database(value: str, *, query_timeout: float, frames: FramesSource | None = None
                  ) -> "Database | DuckDBDatabase":
    """The database ``value`` names, ready to run read-only statements."""
    text = value.strip()
    if not is_source(text):
        from .database import Database

        return Database(text, query_timeout=query_timeout)
    from .duckdb_database import DuckDBDatabase

    if text.lower() == FRAMES:
        if frames is None:
            raise ConfigurationError("there are no DataFrames to ask about here", setting="connection",
                                     hint='Pass them: Session(frames={"sales": df}), or ask(..., frames=...).')
        return DuckDBDatabase(url=FRAMES, query_timeout=query_timeout, frames=frames)
    if is_files(text):
        files = parse_files(text)
        notes = {name: (f"file {path.name}", _parquet_rows(path)) for name, path in files.items()}
        return DuckDBDatabase(url=text, query_timeout=query_timeout, files=files, notes=notes)
    return DuckDBDatabase(duckdb_path(text), url=text, query_timeout=query_timeout)


def duckdb_path(url: str) -> str:
    """The file a ``duckdb:`` URL names (``:memory:`` for ``duckdb://`` and ``duckdb:///:memory:``)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same sentence
        raise ConfigurationError(f"{url!r} is not a DuckDB URL", setting="connection",
                                 hint="Write duckdb:///path/to/file.duckdb or duckdb:///:memory:.") from exc
    if parsed.get_backend_name() != "duckdb" or parsed.host or parsed.username:
        raise ConfigurationError(f"{url!r} is not a DuckDB URL", setting="connection",
                                 hint="Write duckdb:///path/to/file.duckdb or duckdb:///:memory:.")
    return parsed.database or ":memory:"


def _parquet_rows(path: Any) -> int | None:
    """A Parquet file's row count from its footer (CSV files have none to read cheaply)."""
    if path.suffix.lower() not in {".parquet", ".pq"}:
        return None
    try:
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:  # noqa: BLE001 - connecting reports an unreadable file with DuckDB's own reason
        return None
