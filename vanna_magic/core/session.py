"""``Session``: the public API every front end (magic, panel, sidebar, CLI) calls.

Every front end reaches the engine through these methods and the typed values they return
(:class:`~vanna_magic.core.answer.Answer`, :class:`~vanna_magic.core.status.Status`, the values of
:mod:`vanna_magic.core.results`): questions and SQL, connections, status and metrics, the
history and its memory, policies, the model test, the knowledge base
(:class:`~vanna_magic.core.session_knowledge.SessionKnowledge`) and its evaluation
(:class:`~vanna_magic.core.session_evaluation.SessionEvaluation`).

>>> from vanna_magic import Session
>>> answer = Session().ask("What was the revenue per month in 2024?")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from .answer import Answer
from .config import redact
from .errors import ConfigurationError, VannaError
from .parts import session_secrets
from .redaction import redacting
from .results import (
    ConnectionInfo,
    Connections,
    FollowUp,
    HistoryEntry,
    HistoryPage,
    ModelReply,
    NamedConnection,
    PolicyCheck,
    TablePage,
)
from .session_evaluation import SessionEvaluation, positive

if TYPE_CHECKING:
    from .data.role import RoleCheck
    from .data.schema import Table
    from .generate.model import LanguageModel
    from .ops.run import Progress
    from .status import MetricsSnapshot, Status

_PING = [{"role": "user", "content": "Reply with the single word OK."}]


class Session(SessionEvaluation):
    """A connection, a knowledge base and a model, ready to answer questions.

    Args:
        connection: SQLAlchemy URL; the embedded demo database when omitted.
        model: a litellm model string, or any object with ``complete(messages)``
            (see :class:`vanna_magic.core.generate.model.LanguageModel`); from settings when omitted.
        settings: resolved settings; read from their sources when omitted.
        clock: seconds since the epoch, for the breakers, history and rate limits (a seam for tests).
        **overrides: any setting by name (``max_rows=100``, ``knowledge_base="kb/"``...).
    """

    def _context(self, question: str, *, run: bool, limit: int | None, connection: str | None,
                 for_question: bool = True):
        from .context import AskContext
        from .ops.limits import model_limiter

        self.health.configure(self.settings.breakers, self.settings.breaker_successes)
        max_rows = self.settings.max_rows if limit is None else positive(limit, "limit")
        settings = self.settings if limit is None else self.settings.replace(max_rows=max_rows)
        db = self.database(connection)
        answer = Answer(question=question or None, dialect=db.dialect, connection=redact(db.url),
                        max_rows=max_rows, preview_rows=settings.preview_rows)
        return AskContext(question=question, settings=settings, database=db, catalog=self.catalog(connection),
                          retriever=self.retriever if for_question else None,
                          firewall=self.firewall(db.dialect, max_rows, connection),
                          model=self.model if for_question else None, run=run, answer=answer,
                          health=self.health.bound(db.url),
                          limiter=model_limiter(self.model, self.store, self.user, self.settings.rate_limit)
                          if for_question else None)

    def ask(self, question: str, *, run: bool = True, limit: int | None = None, connection: str | None = None,
            follow_up: bool | None = None, progress: "Progress | None" = None,
            frames: "Mapping[str, Any] | None" = None) -> Answer:
        """Answer ``question`` with SQL and, unless ``run=False``, its rows.

        ``follow_up``: True builds on the previous questions, False never does, None (default) when the
        question reads like a follow-up (:mod:`vanna_magic.core.generate.conversation`). ``progress`` is called with
        each stage's :class:`~vanna_magic.core.ops.run.ProgressEvent`, from the thread that runs the question.
        ``frames`` (name -> pandas DataFrame): ask about these DataFrames, each a view of that name, instead of
        the connection (DuckDB in-process, nothing copied).
        """
        with self._frames_for(frames):
            return self._ask(question, run=run, limit=limit, connection=self._frames_connection(frames, connection),
                             follow_up=follow_up, progress=progress)

    def _ask(self, question: str, *, run: bool, limit: int | None, connection: str | None,
             follow_up: bool | None, progress: "Progress | None") -> Answer:
        from .pipeline import ask

        ctx = self._context(question, run=run, limit=limit, connection=connection)
        ctx.history = self.conversation.for_question(question, follow_up, ctx.answer.connection,
                                                     self.settings.follow_up_turns)
        ctx.answer.follows_up = [turn.question or "SQL written by hand" for turn in ctx.history]
        answer = self._in_flight(progress, lambda: self._recorded("question", ctx, ask))
        if answer.source != "model":  # a knowledge-base example answered: the earlier turns played no part
            answer.follows_up = []
        self.conversation.add(answer.question, answer.sql, answer.connection)
        return answer

    def run_sql(self, sql: str, *, limit: int | None = None, connection: str | None = None,
                progress: "Progress | None" = None, frames: "Mapping[str, Any] | None" = None) -> Answer:
        """Run SQL written by a person through the firewall and the read-only executor (``frames``: as for ask)."""
        from .pipeline import run_sql

        with self._frames_for(frames):
            ctx = self._context("", run=True, limit=limit, connection=self._frames_connection(frames, connection),
                                for_question=False)
            answer = self._in_flight(progress, lambda: self._recorded("sql", ctx, lambda c: run_sql(c, sql)))
        self.conversation.add(None, answer.sql, answer.connection)
        return answer

    @contextmanager
    def _frames_for(self, frames: "Mapping[str, Any] | None") -> Iterator[None]:
        """``frames`` (checked first) stand for the DataFrames of the ``dataframes`` connection while in force."""
        if frames is None:
            yield
            return
        from .data.frames import check_frames

        self._frames_override = check_frames(frames)
        try:
            yield
        finally:
            self._frames_override = None

    @staticmethod
    def _frames_connection(frames: "Mapping[str, Any] | None", connection: str | None) -> str | None:
        if frames is None:
            return connection
        if connection is not None:
            raise ConfigurationError("frames and connection cannot be given together", setting="frames",
                                     hint="Ask about the DataFrames, or about the connection, in one question.")
        from .data.frames import FRAMES

        return FRAMES

    def _recorded(self, kind: str, ctx: Any, run: Callable[[Any], Answer]) -> Answer:
        from .ops.recording import recorded

        return recorded(kind, ctx, run, metrics=self.health.metrics, store=self.store, user=self.user)

    def _in_flight(self, progress: "Progress | None", work: Callable[[], Answer]) -> Answer:
        """``work`` as a run: progress reported, an interrupt cancels it (:mod:`vanna_magic.core.ops.run`)."""
        from .ops.run import Run, interruptible, running

        flight = Run(progress)

        def go() -> Answer:
            with running(flight):
                return work()

        return interruptible(flight, go, self.cancel)

    def follow_up(self) -> FollowUp:
        """What a follow-up question on the current connection carries into the prompt (never any rows)."""
        from .generate.prompt import history_section
        from .generate.tokens import count_tokens

        most = self.settings.follow_up_turns
        turns = self.conversation.recent(redact(self.database().url), most)
        text = history_section(turns) if turns else ""
        return FollowUp(len(turns), most, count_tokens(text) if turns else 0, text)

    def reset_conversation(self) -> int:
        """Forget the earlier questions, so that the next one starts afresh; how many there were."""
        return self.conversation.clear()

    def connect(self, connection: str) -> ConnectionInfo:
        """Use ``connection`` (a URL or a connection name) from now on, once it answers and its catalog is read.

        A connection that fails leaves the current one in place. The one chosen stays in force over
        settings given to :meth:`configure` later, until ``configure(connection=...)`` names another.
        """
        from .data.connections import is_url
        from .data.sources import is_source

        if not isinstance(connection, str) or not connection.strip():  # never a silent switch to the demo
            raise ConfigurationError("the connection to use is empty", setting="connection",
                                     hint="Give a SQLAlchemy URL or a connection name, e.g. "
                                          "%vanna connect postgresql://user@host/db (%vanna connections lists them).")
        previous, settings = self._connected, self.settings
        try:
            self._connected = connection
            self.settings = settings.replace(connection=connection)
            db = self.database()  # with require_read_only_role, refused here when the role can do more than read
            db.ping()
            tables = self.catalog().tables(refresh=True)
        except VannaError:
            self._connected, self.settings = previous, settings
            raise
        return ConnectionInfo(redact(db.url), db.dialect, len(tables),
                              None if is_url(connection) or is_source(connection) else connection,
                              warning=self.role_check().warning)

    def role_check(self, connection: str | None = None) -> "RoleCheck":
        """What the connection's database role can do beyond reading (write, read server files, bypass row
        security), checked now; its ``warning`` is one line with the SQL that creates a read-only role."""
        from .data.role import check_role

        return check_role(self.database(connection))

    def test_connection(self, connection: str) -> ConnectionInfo:
        """Connect to ``connection`` and read its catalog as :meth:`connect` does, without switching to it."""
        trial = Session(settings=self.settings.replace(connection=connection), clock=self.clock)
        try:
            return trial.connect(connection)
        finally:
            trial.close()

    def connections(self) -> Connections:
        """The named connections (passwords never shown), and the connections file they may be defined in."""
        from .data.connections import default_connections_file, load_connections

        found = load_connections(connections_file=self.settings.connections_file)
        named = tuple(NamedConnection(name, redact(conn.shown_url()), conn.description, conn.source,
                                      conn.password is not None, name == self.settings.connection)
                      for name, conn in sorted(found.items()))
        return Connections(named, str(self.settings.connections_file or default_connections_file()))

    @property
    def dialect(self) -> str:
        """The SQL dialect of the current connection (sqlite, postgres...)."""
        return self.database().dialect

    def schema(self, table: str | None = None, *, refresh: bool = False) -> "list[Table]":
        """The tables of the current connection, or the one named ``table``; ``refresh`` reads the catalog again."""
        catalog = self.catalog()
        tables = catalog.tables(refresh=refresh)
        return tables if table is None else [catalog.table(table)]

    def schema_page(self, match: str | None = None, *, page: int = 1, per_page: int = 50) -> TablePage:
        """One page of the tables whose ``schema.table`` contains ``match`` (any case), in catalog order."""
        if page < 1 or per_page < 1:
            raise VannaError("pages and page sizes start at 1", stage="catalog")
        tables = self.catalog().tables()
        if match:
            wanted = match.strip().lower()
            tables = [t for t in tables if wanted in f"{t.schema or ''}.{t.name}".lower()]
        pages = max(1, -(-len(tables) // per_page))
        if page > pages:
            raise VannaError(f"page {page} does not exist: {len(tables)} tables make {pages} pages", stage="catalog",
                             hint=f"Ask for a page from 1 to {pages}.")
        return TablePage(tuple(tables[(page - 1) * per_page:page * per_page]), page, pages, len(tables),
                         len({t.schema for t in tables}))

    def test_model(self, model: "str | LanguageModel", *, api_base: str | None = None,
                   api_key: str | None = None) -> ModelReply:
        """Send one short message to ``model``; its reply and how long it took.

        ``model`` is a litellm model string (tried once, without retries, so that a test says at once
        what is wrong) or any :class:`~vanna_magic.core.generate.model.LanguageModel`.
        """
        if isinstance(model, str):
            from .generate.model import LiteLLMModel

            model = LiteLLMModel(model, api_base=api_base, api_key=api_key, timeout=self.settings.model_timeout,
                                 retries=0)
        completion = model.complete(_PING)
        return ModelReply(model.name, completion.elapsed, " ".join(completion.text.split()))

    def check_policy(self, sql: str) -> PolicyCheck:
        """What ``sql`` becomes for the current role (its data policy, then the firewall), without running it."""
        db = self.database()
        role = self.data_policy()
        verdict = self.firewall(db.dialect, self.settings.max_rows).check(sql)
        return PolicyCheck(role.role if role is not None else None, db.dialect, verdict.allowed, verdict.sql,
                           verdict.rule, verdict.message, verdict.hint, verdict.rewrites)

    def rerun(self, query_id: int) -> Answer:
        """Ask a question from the history again (or run its statement again)."""
        entry = self.history_entry(query_id)
        if entry.kind == "sql":
            return self.run_sql(entry.sql or "")
        if not entry.question:
            raise VannaError(f"query {query_id} has no question to ask again", stage="history")
        return self.ask(entry.question)

    def export(self, query_id: int, path: str | os.PathLike, *, max_rows: int | None = None,
               connection: str | None = None) -> int:
        """Run a query from the history again and write all its rows to ``path`` as CSV; the row count.

        At most ``max_rows`` rows (setting ``export_max_rows``): more fail with the full count and write
        nothing. ``connection`` (a URL or connection name) is the database the query ran on, when it is
        not the current one. See :mod:`vanna_magic.core.ops.export`.
        """
        from .ops.export import export_csv

        record = self.store.get(query_id)
        return export_csv(query_id, record, path, database=lambda: self.database(connection),
                          firewall=lambda db, rows: self.firewall(db.dialect, rows, connection),
                          cap=self.settings.export_max_rows if max_rows is None else max_rows,
                          health=self.health, query_timeout=self.settings.query_timeout)

    def history(self, *, status: str | None = None, confidence: str | None = None, page: int = 1,
                per_page: int = 20) -> HistoryPage:
        """One page of the questions and statements run, newest first; ``status``, ``confidence``: only those
        with it."""
        store = self.store
        rows, total = store.history(status=status, confidence=confidence, page=page, per_page=per_page)
        pages = max(1, -(-total // per_page))
        if page > pages:
            raise VannaError(f"page {page} does not exist: the history has {total} attempts in {pages} pages",
                             stage="history", hint=f"Ask for a page from 1 to {pages}.")
        return HistoryPage(tuple(HistoryEntry(**row) for row in rows), page, pages, total, store.available,
                           store.problem)

    def history_entry(self, query_id: int) -> HistoryEntry:
        """One question or statement of the history."""
        return HistoryEntry(**self.store.get(query_id))

    def usage(self, days: int = 30) -> list[dict[str, Any]]:
        """Questions, success rate, tokens and cost per user and UTC day, over the last ``days`` days."""
        return self.store.usage(days)

    def uses(self) -> dict[str, int]:
        """How often each request ran: questions and statements from the history, ``%vanna`` commands from the audit."""
        return self.store.kind_counts()

    def memory_stats(self) -> dict[str, Any]:
        """History rows, knowledge-base and index sizes, and the disk they use (:mod:`vanna_magic.core.ops.memory`)."""
        from .ops.memory import stats

        return stats(self.store, self.knowledge_base, self.settings.cache_path)

    def memory_backup(self, path: str | os.PathLike | None = None) -> Path:
        """Write a backup of the history to ``path`` (default: ``<cache_dir>/backups/``); its path."""
        from .ops.memory import backup

        return backup(self.store, self.settings.cache_path, path)

    def memory_restore(self, path: str | os.PathLike) -> dict[str, Any]:
        """Replace the history with a validated backup; the backup's manifest."""
        from .ops.memory import restore

        return restore(self.store, path)

    def memory_cleanup(self, older_than_days: float) -> int:
        """Delete history, audit and rate-limit records older than ``older_than_days``; how many."""
        from .ops.memory import cleanup

        return cleanup(self.store, older_than_days)

    def reset_breakers(self, name: str | None = None) -> dict[str, str]:
        """Close the circuit breaker ``name`` (every one when None) now; the state of each after."""
        with suppress(VannaError):  # the database breaker reset is the current connection's
            self.database()
        return {each: self.health.breakers[each].state for each in self.health.reset(name)}

    def status(self) -> "Status":
        """What is connected and configured, checked now: the database pinged, the model and the index probed."""
        from .ops.probes import health_report

        connection = dialect = tables = error = role = None
        try:
            connection = redact(self.connection_url)  # the demo database may fail to build
            db = self.database()
            self.health.call("database", db.ping)  # breakers["database"] is now this connection's
            dialect, tables = db.dialect, len(self.catalog().tables())
            role = self.role_check().warning
        except VannaError as exc:
            error = str(exc)
        report = health_report(connection=connection, demo=self.is_demo, dialect=dialect, tables=tables,
                             database_error=error, model=self.model, settings=self.settings,
                             knowledge_base=self.knowledge_base,
                             index=lambda: self.retriever.closest_questions("health check", 1),
                             health=self.health, store=self.store, clock=self.clock)
        return dataclasses.replace(report, role_warning=role)

    def metrics(self) -> "MetricsSnapshot":
        """Counts, latencies, tokens and cost of this process, and the error rate of the last 24 h from the store."""
        from .ops.metrics import metrics_snapshot

        return metrics_snapshot(self.health.metrics, self.store, self.clock)

    @staticmethod
    def encrypt(secret: str) -> str:
        """``ENC(...)`` for ``secret``: a connection's url or password kept encrypted (needs no database)."""
        from .data.connections import encrypt

        return encrypt(secret)

    @staticmethod
    def new_secret_key() -> Path:
        """Write a new key for :meth:`encrypt` to the key file (``~/.config/vanna-magic/key``); its path."""
        from .data.connections import key_file, new_key

        return new_key(key_file())


redacting(Session, session_secrets)
