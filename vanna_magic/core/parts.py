"""The parts a :class:`~vanna_magic.core.session.Session` is made of, each built on first use.

The database, its catalog, the knowledge base, its retriever, the model, the history store
and the firewall are built when first asked for and kept while the settings they depend on
stay the same; a part whose settings changed is closed and built again on next use.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, TypeVar

from .config import Settings, function_names, load_settings

if TYPE_CHECKING:
    from .data.catalog import Catalog
    from .data.database import Database
    from .data.duckdb_database import DuckDBDatabase
    from .generate.model import LanguageModel
    from .guard import Firewall
    from .guard.policy import RolePolicy
    from .knowledge.base import KnowledgeBase
    from .knowledge.retrieve import Retriever
    from .ops.store import Store

T = TypeVar("T")
P = TypeVar("P", bound="SessionParts")
_MODEL_SETTINGS = ("model", "api_base", "replay_file", "replay_mode", "model_timeout", "model_retries", "temperature")


class SessionParts:
    """Settings, the parts built from them, the breakers and metrics, and the conversation of one session."""

    def __init__(self, connection: str | None = None, *, model: "str | LanguageModel | None" = None,
                 settings: Settings | None = None, clock: Callable[[], float] | None = None,
                 frames: "Mapping[str, Any] | None" = None, **overrides: Any):
        if connection is not None:
            overrides["connection"] = connection
        if isinstance(model, str):
            overrides["model"] = model
            model = None
        self._model_override = model
        self._connected: str | None = None  # the connection chosen with Session.connect, kept over new settings
        # The DataFrames of a ``dataframes`` connection: a notebook's namespace (the magics set it; every public
        # DataFrame in it) or ``frames`` (name -> DataFrame); ``ask(frames=...)`` overrides both for one question.
        self.namespace: "Mapping[str, Any] | None" = None
        self.frames: "Mapping[str, Any] | None" = frames
        self._frames_override: "dict[str, Any] | None" = None
        base = settings if settings is not None else load_settings()
        self.settings = base.replace(**overrides) if overrides else base
        self._parts: dict[str, tuple[Any, Any]] = {}
        self._lock = threading.RLock()
        self._problems_reported: set[str] = set()  # knowledge-base problems already returned as new
        from .identity import current_user
        from .ops.health import Health

        self.clock = clock or time.time
        self.user = current_user()
        self.health = Health(self.settings.breakers, self.settings.breaker_successes, clock=self.clock)
        from .generate.conversation import Conversation

        self.conversation = Conversation()  # the questions a follow-up builds on

    def configure(self: P, settings: Settings | None = None, **overrides: Any) -> P:
        """Apply new settings; parts whose inputs changed are rebuilt on next use.

        A connection chosen with ``connect()`` stays in force over ``settings``; ``connection=`` names another.
        """
        if "connection" in overrides:
            self._connected = None
        base = settings if settings is not None else self.settings
        if self._connected is not None:
            overrides = {"connection": self._connected, **overrides}
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
        from .data.demo import demo_url

        return demo_url(self.settings.cache_path)

    @property
    def is_demo(self) -> bool:
        """On the demo database (whose knowledge base is the demo's): no connection, no DataFrames asked about."""
        return not self.settings.connection and self._frames_override is None

    def database(self, connection: str | None = None) -> "Database | DuckDBDatabase":
        """The database of the connection (a URL, a name, ``dataframes`` or ``files:...``), opened on first use."""
        from .data.sources import open_database

        url = self.resolve_connection(connection or self.connection_url)
        name = "database" if connection is None else f"database:{url}"
        strict = self.settings.require_read_only_role

        def make() -> "Database | DuckDBDatabase":
            db = open_database(url, query_timeout=self.settings.query_timeout, frames=self.frames_source)
            if strict:
                from .data.role import require_read_only

                require_read_only(db)
            return db

        db = self._part(name, (url, self.settings.query_timeout, strict), make)
        if connection is None:
            self.health.use_main(db.url)  # breakers["database"] is the current connection's
        return db

    def frames_source(self) -> dict[str, Any]:
        """The DataFrames a ``dataframes`` connection asks about, as they are now (checked, see ``frames``)."""
        from .data.frames import check_frames, namespace_frames

        if self._frames_override is not None:
            return self._frames_override
        if self.namespace is not None:
            return namespace_frames(self.namespace)
        if self.frames is None:
            from .errors import ConfigurationError

            raise ConfigurationError("there are no DataFrames to ask about", setting="frames",
                                     hint='Pass them: Session(frames={"sales": df}), or ask(..., frames=...).')
        return check_frames(self.frames)

    def resolve_connection(self, value: str) -> str:
        """A URL as given; a connection name as the URL it stands for (:mod:`vanna_magic.core.data.connections`)."""
        from .data.connections import is_url, load_connections, resolve
        from .data.sources import is_source

        if is_url(value) or is_source(value):
            return value.strip()
        return resolve(value, load_connections(connections_file=self.settings.connections_file))

    def catalog(self, connection: str | None = None) -> "Catalog":
        from .data.catalog import Catalog

        db = self.database(connection)
        name = "catalog" if connection is None else f"catalog:{connection}"
        from .data.schema_filter import SchemaFilter

        schemas = self.settings.schemas
        return self._part(name, (id(db), schemas), lambda: Catalog(db, SchemaFilter.parse(schemas)))

    def knowledge_roots(self) -> list[Path]:
        """Knowledge-base folders, highest precedence first (see :mod:`vanna_magic.core.knowledge.sources`)."""
        from .knowledge.sources import knowledge_sources

        return [source.path for source in knowledge_sources(self.settings, is_demo=self.is_demo)]

    @property
    def knowledge_base(self) -> "KnowledgeBase":
        from .knowledge.files import load_knowledge_base

        roots = self.knowledge_roots()
        return self._part("knowledge_base", (tuple(roots), _fingerprint(roots)), lambda: load_knowledge_base(roots))

    @property
    def retriever(self) -> "Retriever":
        from .knowledge.embed import make_embedder
        from .knowledge.retrieve import Retriever

        kb = self.knowledge_base
        key = (kb.content_hash, self.settings.embedder, self.settings.api_base, str(self.settings.cache_path))
        return self._part("retriever", key, lambda: Retriever(
            kb, make_embedder(self.settings.embedder, api_base=self.settings.api_base),
            self.settings.cache_path / "index"))

    @property
    def model(self) -> "LanguageModel | None":
        if self._model_override is not None:
            return self._model_override
        from .generate.replay import make_model

        key = tuple(getattr(self.settings, name) for name in _MODEL_SETTINGS)
        return self._part("model", key, lambda: make_model(self.settings))

    @property
    def store(self) -> "Store":
        """History, audit events and rate-limit state (:mod:`vanna_magic.core.ops.store`)."""
        from .ops.store import STORE_FILE, Store

        path = Path(self.settings.store_path).expanduser() if self.settings.store_path else \
            self.settings.cache_path / STORE_FILE
        return self._part("store", str(path), lambda: Store(path, clock=self.clock))

    def record_audit(self, event: dict[str, Any]) -> int | None:
        """Write an audit event (e.g. a firewall verdict) to the store; its id, or None when not kept."""
        return self.store.record_audit(event, user=self.user)

    def data_policy(self) -> "RolePolicy | None":
        """The data policy of the current role (setting ``role``, else the user's), or None without a policy file."""
        if not self.settings.policy_file:
            return None
        from .guard.policy import load_policy

        path = Path(self.settings.policy_file).expanduser()
        stat = path.stat() if path.is_file() else None
        key = (str(path), stat and (stat.st_mtime_ns, stat.st_size))
        policy = self._part("policy", key, lambda: load_policy(path))
        return policy.role_for(self.user, self.settings.role)

    def firewall(self, dialect: str, max_rows: int, connection: str | None = None) -> "Firewall":
        """The firewall for this connection: row cap, the role's data policy, rejections audited to the store."""
        from .guard import Firewall

        policy = self.data_policy()
        catalog = self.catalog(connection) if policy is not None else None

        def columns(schema: str | None, table: str) -> list[str] | None:
            assert catalog is not None
            found = [t for t in catalog.tables() if t.name.lower() == table.lower()]
            if schema is not None:  # the default schema (main, public) is not written in the catalog
                found = [t for t in found if (t.schema or schema).lower() == schema.lower()]
            return [c.name for c in found[0].columns] if len(found) == 1 else None

        allowed = function_names(self.settings.allowed_functions)
        key = (dialect, max_rows, policy, id(catalog), allowed)
        return self._part(f"firewall:{dialect}:{connection}", key, lambda: Firewall(
            dialect, max_rows, policy=policy, columns=columns, user=self.user, allowed_functions=allowed,
            on_reject=lambda event: self.record_audit(event.to_dict())))

    def cancel(self) -> int:
        """Cancel the statements this session has in flight (safe from any thread); how many there were."""
        from .data.database import Database
        from .data.duckdb_database import DuckDBDatabase

        with self._lock:
            parts = [part for _, part in self._parts.values()]
        return sum(part.cancel() for part in parts if isinstance(part, (Database, DuckDBDatabase)))

    def close(self) -> None:
        with self._lock:
            for _, part in self._parts.values():
                if hasattr(part, "close"):
                    part.close()
            self._parts.clear()


_KNOWLEDGE_SUFFIXES = (".sql", ".yaml", ".yml", ".md")


def _fingerprint(roots: list[Path]) -> frozenset:
    """Cheap change detector for the knowledge base: file names, sizes and mtimes.

    It only decides when to re-read the files; whether the index is rebuilt is
    decided by the content hash the loader computes. One ``scandir`` walk per root
    (asked before every question, so it must stay well under a millisecond per
    hundred files).
    """
    entries: list[tuple] = []
    for root in roots:
        if not root.is_dir():
            entries.append((str(root), None))
            continue
        folders = [str(root)]
        while folders:
            with os.scandir(folders.pop()) as listing:
                for entry in listing:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.name.endswith(_KNOWLEDGE_SUFFIXES):
                        st = entry.stat()
                        entries.append((entry.path, st.st_size, st.st_mtime_ns))
    return frozenset(entries)


def session_secrets(parts: SessionParts) -> list[str]:
    """Secrets a session holds that the environment may not: a key given in code, the connection's password."""
    from urllib.parse import urlsplit

    found = []
    built = parts._parts.get("model", (None, None))[1]
    for model in (parts._model_override, built):
        key = getattr(model, "_api_key", None)
        if isinstance(key, str):
            found.append(key)
    url = parts.settings.connection or ""
    try:
        password = urlsplit(url).password if "://" in url else None
    except ValueError:
        password = None
    if password:
        found.append(password)
    return found
