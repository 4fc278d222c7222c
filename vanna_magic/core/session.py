"""``Session``: the public API every front end (magic, panel, sidebar, CLI) calls.

>>> from vanna_magic import Session
>>> answer = Session().ask("What was the revenue per month in 2024?")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from .answer import Answer
from .config import Settings, load_settings, redact
from .errors import ConfigurationError, VannaError

if TYPE_CHECKING:
    from .catalog import Catalog, Table
    from .db import Database
    from .firewall import Firewall
    from .knowledge import KnowledgeBase
    from .llm import LanguageModel
    from .retrieve import Retriever

T = TypeVar("T")
_MODEL_SETTINGS = ("model", "api_base", "replay_file", "replay_mode", "model_timeout", "model_retries", "temperature")


class Session:
    """A connection, a knowledge base and a model, ready to answer questions.

    Args:
        connection: SQLAlchemy URL; the embedded demo database when omitted.
        model: a litellm model string, or any object with ``complete(messages)``
            (see :class:`vanna_magic.core.llm.LanguageModel`); from settings when omitted.
        settings: resolved settings; read from their sources when omitted.
        **overrides: any setting by name (``max_rows=100``, ``knowledge_base="kb/"``...).
    """

    def __init__(self, connection: str | None = None, *, model: "str | LanguageModel | None" = None,
                 settings: Settings | None = None, **overrides: Any):
        if connection is not None:
            overrides["connection"] = connection
        if isinstance(model, str):
            overrides["model"] = model
            model = None
        self._model_override = model
        base = settings if settings is not None else load_settings()
        self.settings = base.replace(**overrides) if overrides else base
        self._parts: dict[str, tuple[Any, Any]] = {}
        self._lock = threading.RLock()
        self.knowledge_problems_seen: set[str] = set()

    def configure(self, settings: Settings | None = None, **overrides: Any) -> "Session":
        """Apply new settings; parts whose inputs changed are rebuilt on next use."""
        base = settings if settings is not None else self.settings
        self.settings = base.replace(**overrides) if overrides else base
        return self

    def _part(self, name: str, key: Any, factory: Callable[[], T]) -> T:
        with self._lock:
            cached = self._parts.get(name)
            if cached is not None and cached[0] == key:
                return cached[1]
            if cached is not None and hasattr(cached[1], "close"):
                cached[1].close()
            value = factory()
            self._parts[name] = (key, value)
            return value

    @property
    def connection_url(self) -> str:
        if self.settings.connection:
            return self.settings.connection
        from .demo import demo_url

        return demo_url(self.settings.cache_path)

    @property
    def is_demo(self) -> bool:
        return not self.settings.connection

    def database(self, connection: str | None = None) -> "Database":
        from .db import Database

        url = connection or self.connection_url
        name = "database" if connection is None else f"database:{url}"
        return self._part(name, (url, self.settings.query_timeout),
                          lambda: Database(url, query_timeout=self.settings.query_timeout))

    def catalog(self, connection: str | None = None) -> "Catalog":
        from .catalog import Catalog

        db = self.database(connection)
        name = "catalog" if connection is None else f"catalog:{connection}"
        return self._part(name, id(db), lambda: Catalog(db))

    def knowledge_roots(self) -> list[Path]:
        if self.settings.knowledge_base:
            return [Path(self.settings.knowledge_base).expanduser()]
        if self.is_demo:
            from .demo import demo_knowledge_base

            return [demo_knowledge_base()]
        return []

    @property
    def knowledge_base(self) -> "KnowledgeBase":
        from .knowledge import load_knowledge_base

        roots = self.knowledge_roots()
        return self._part("knowledge_base", (tuple(roots), _fingerprint(roots)), lambda: load_knowledge_base(roots))

    @property
    def retriever(self) -> "Retriever":
        from .embed import make_embedder
        from .retrieve import Retriever

        kb = self.knowledge_base
        key = (kb.content_hash, self.settings.embedder, self.settings.api_base, str(self.settings.cache_path))
        return self._part("retriever", key, lambda: Retriever(
            kb, make_embedder(self.settings.embedder, api_base=self.settings.api_base),
            self.settings.cache_path / "index"))

    @property
    def model(self) -> "LanguageModel | None":
        if self._model_override is not None:
            return self._model_override
        from .llm import make_model

        key = tuple(getattr(self.settings, name) for name in _MODEL_SETTINGS)
        return self._part("model", key, lambda: make_model(self.settings))

    def firewall(self, dialect: str, max_rows: int) -> "Firewall":
        from .firewall import Firewall

        return self._part(f"firewall:{dialect}", (dialect, max_rows), lambda: Firewall(dialect, max_rows))

    def _context(self, question: str, *, run: bool, limit: int | None, connection: str | None,
                 for_question: bool = True):
        from .pipeline import AskContext

        max_rows = self.settings.max_rows if limit is None else _positive(limit, "limit")
        settings = self.settings if limit is None else self.settings.replace(max_rows=max_rows)
        db = self.database(connection)
        answer = Answer(question=question or None, dialect=db.dialect, connection=redact(db.url),
                        max_rows=max_rows, preview_rows=settings.preview_rows)
        return AskContext(question=question, settings=settings, database=db, catalog=self.catalog(connection),
                          retriever=self.retriever if for_question else None,
                          firewall=self.firewall(db.dialect, max_rows),
                          model=self.model if for_question else None, run=run, answer=answer)

    def ask(self, question: str, *, run: bool = True, limit: int | None = None,
            connection: str | None = None) -> Answer:
        """Answer ``question`` with SQL and, unless ``run=False``, its rows."""
        from .pipeline import ask

        return ask(self._context(question, run=run, limit=limit, connection=connection))

    def run_sql(self, sql: str, *, limit: int | None = None, connection: str | None = None) -> Answer:
        """Run SQL written by a person through the firewall and the read-only executor."""
        from .pipeline import run_sql

        ctx = self._context("", run=True, limit=limit, connection=connection, for_question=False)
        return run_sql(ctx, sql)

    def schema(self, table: str | None = None, *, refresh: bool = False) -> "list[Table]":
        catalog = self.catalog()
        tables = catalog.tables(refresh=refresh)
        return tables if table is None else [catalog.table(table)]

    def status(self) -> dict[str, Any]:
        """What is connected and configured, checked now (the database is pinged)."""
        info: dict[str, Any] = {"connection": redact(self.connection_url), "demo": self.is_demo}
        try:
            db = self.database()
            db.ping()
            info.update(database="ok", dialect=db.dialect, tables=len(self.catalog().tables()))
        except VannaError as exc:
            info.update(database="unreachable", database_error=str(exc))
        model = self.model
        info["model"] = getattr(model, "name", None) if model is not None else None
        info["replay_file"] = self.settings.replay_file
        kb = self.knowledge_base
        info["knowledge_base"] = {
            "roots": [str(r) for r in kb.roots], "examples": len(kb.examples),
            "definitions": len(kb.definitions), "documents": len(kb.documents),
            "problems": [str(p) for p in kb.problems]}
        if info["database"] != "ok":
            info["mode"] = "EMERGENCY" if self.settings.connection else "CONFIGURATION"
        else:
            info["mode"] = "FULL_OPERATIONAL" if model is not None else "LIMITED_AI"
        return info

    def close(self) -> None:
        with self._lock:
            for _, part in self._parts.values():
                if hasattr(part, "close"):
                    part.close()
            self._parts.clear()


def _positive(value: Any, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a positive integer, got {value!r}", setting=name) from None
    if number <= 0:
        raise ConfigurationError(f"{name} must be a positive integer, got {value!r}", setting=name)
    return number


def _fingerprint(roots: list[Path]) -> tuple:
    """Cheap change detector for the knowledge base: file names, sizes and mtimes.

    It only decides when to re-read the files; whether the index is rebuilt is
    decided by the content hash the loader computes.
    """
    entries = []
    for root in roots:
        if not root.is_dir():
            entries.append((str(root), None))
            continue
        for folder, _dirs, files in os.walk(root):
            for name in files:
                if name.endswith((".sql", ".yaml", ".yml", ".md")):
                    st = os.stat(os.path.join(folder, name))
                    entries.append((os.path.join(folder, name), st.st_size, st.st_mtime_ns))
    return tuple(sorted(entries))
