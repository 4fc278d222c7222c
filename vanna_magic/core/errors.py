"""The one exception hierarchy of vanna-magic.

Every error the package raises on purpose derives from :class:`VannaError` and
carries structured fields, so front ends can render a short sentence and tools
can act on the fields::

    VannaError                      stage, hint
    ├── ConfigurationError          a setting is missing or invalid (setting=)
    ├── DatabaseConnectionError     the database cannot be reached or refuses us
    ├── KnowledgeBaseError          a knowledge-base file is malformed (path=, line=)
    ├── GenerationError             the language model failed or gave no usable SQL
    │   ├── ModelNotConfiguredError no model is configured (suggestions=)
    │   └── ReplayMissError         a replay file has no response for this prompt
    ├── FirewallError               the firewall rejected a statement (rule=, sql=, node=)
    ├── ExecutionError              the database rejected a statement (sql=, position=, code=, tables=)
    ├── QueryTimeoutError           a stage ran past its time limit (seconds=)
    ├── QueryCancelledError         the user interrupted a question or statement (the kernel's interrupt)
    ├── RateLimitError              too many calls; retry after (retry_after=)
    ├── CircuitOpenError            a part failed repeatedly; calls fail fast until retry_at (breaker=, since=)
    ├── ChartError                  no chart of the asked kind fits the result (kind=, columns=)
    └── ProtocolError               a sidebar comm message the kernel cannot accept

Third-party exceptions are converted where a stage meets its library and chained
with ``raise ... from exc``.  Messages never contain passwords or API keys:
URLs are rendered with :func:`vanna_magic.core.config.redact`.
"""

from __future__ import annotations

from typing import Any


class VannaError(Exception):
    """Base class: a failure a person can act on.

    Args:
        message: one sentence saying what failed and why.
        hint: the next step for the user, if there is one.
        stage: the pipeline stage that failed (``"generate"``, ``"firewall"``...).
    """

    stage: str = "session"

    def __init__(self, message: str, *, hint: str | None = None, stage: str | None = None, **fields: Any):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if stage is not None:
            self.stage = stage
        self.fields = fields
        for key, value in fields.items():
            setattr(self, key, value)

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class ConfigurationError(VannaError):
    """A setting is missing or has a value we cannot use (``setting=`` names it)."""

    stage = "config"


class DatabaseConnectionError(VannaError):
    """The database cannot be reached, or refused our credentials."""

    stage = "connect"


class KnowledgeBaseError(VannaError):
    """A knowledge-base file is malformed; ``path`` and ``line`` say where."""

    stage = "knowledge"

    def __init__(self, message: str, *, path: str, line: int | None = None, hint: str | None = None):
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}", hint=hint, path=str(path), line=line)


class GenerationError(VannaError):
    """The language model failed, timed out, or answered without usable SQL."""

    stage = "generate"


class ModelNotConfiguredError(GenerationError):
    """No language model is configured; ``suggestions`` lists close known questions."""


class ReplayMissError(GenerationError):
    """Replay mode is on and the replay file has no response for this prompt."""


class FirewallError(VannaError):
    """The firewall rejected a statement; ``rule`` names the rule that fired."""

    stage = "firewall"


class ExecutionError(VannaError):
    """The database rejected or failed a statement; the message is the database's own, ``code`` its error code
    (SQLSTATE, or the engine's own: ``ORA-01476``, MySQL's ``1054``, SQLite's ``SQLITE_ERROR``) when it gave one."""

    stage = "execute"
    code: str | None = None
    tables: list[str] = []  # the known tables the statement reads, when the schema was consulted (%%vsql)


class QueryTimeoutError(VannaError):
    """A stage (query or model call) ran past its limit of ``seconds``."""

    stage = "execute"


class QueryCancelledError(VannaError):
    """The user interrupted the run: the statement was cancelled on the server, the model call abandoned."""

    stage = "execute"


class RateLimitError(VannaError):
    """Too many calls; ``retry_after`` says in how many seconds to try again."""

    stage = "generate"


class CircuitOpenError(VannaError):
    """A part (database, model, index) failed repeatedly; its breaker fails calls fast until ``retry_at``."""


class ChartError(VannaError):
    """No chart of the asked ``kind`` fits the result; ``columns`` maps each column to its kind."""

    stage = "chart"


class ProtocolError(VannaError):
    """A JupyterLab sidebar message the kernel cannot accept (not an object, unknown op, bad arguments)."""

    stage = "sidebar"


__all__ = [
    "VannaError",
    "ConfigurationError",
    "DatabaseConnectionError",
    "KnowledgeBaseError",
    "GenerationError",
    "ModelNotConfiguredError",
    "ReplayMissError",
    "FirewallError",
    "ExecutionError",
    "QueryTimeoutError",
    "QueryCancelledError",
    "RateLimitError",
    "CircuitOpenError",
    "ChartError",
    "ProtocolError",
]
