"""The values :class:`~vanna_magic.core.session.Session` returns to the front ends, besides ``Answer`` and ``Status``.

Plain frozen dataclasses: the engine fills them, the magics, the panel, the setup form, the
sidebar and the command line show them. Nothing here imports the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .status import KnowledgeSummary

SEARCH_KINDS = ("table", "column", "metric", "dimension", "glossary", "relationship", "doc", "example")


@dataclass(frozen=True)
class ConnectionInfo:
    """A database that answered and whose catalog was read."""

    url: str  # password hidden
    dialect: str
    tables: int
    name: str | None = None  # the connection's name, when it was given by name
    warning: str | None = None  # the role can write, read server files or bypass row security (one line)


@dataclass(frozen=True)
class NamedConnection:
    """One named connection as defined (``[tool.vanna_magic.connections.NAME]``), its secrets never shown."""

    name: str
    url: str  # as written, password hidden (an encrypted URL shows as such)
    description: str | None
    source: str  # the file and table that define it
    password_set: bool
    current: bool  # the session's connection names it


@dataclass(frozen=True)
class Connections:
    """The named connections, by name, and the connections file read besides ``pyproject.toml``."""

    named: tuple[NamedConnection, ...]
    file: str


@dataclass(frozen=True)
class PolicyCheck:
    """The firewall's verdict for the current role on a statement not run, printed as a short report."""

    role: str | None
    dialect: str
    allowed: bool
    sql: str | None
    rule: str | None
    message: str | None
    hint: str | None
    rewrites: tuple[str, ...]

    def text(self) -> str:
        lines = [f"role:     {self.role or 'none (no policy_file set)'}", f"dialect:  {self.dialect}"]
        if self.allowed:
            lines += ["verdict:  accepted", *[f"rewrite:  {r}" for r in self.rewrites], "runs as:", f"  {self.sql}"]
        else:
            lines += [f"verdict:  rejected by {self.rule}", f"why:      {self.message}", f"next:     {self.hint}"]
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle):
        p.text(self.text())


@dataclass(frozen=True)
class ModelReply:
    """What a model answered to one short test message, and how long it took."""

    model: str
    seconds: float
    text: str  # the reply on one line


@dataclass(frozen=True)
class HistoryEntry:
    """One question or statement in the history (a row of the store's ``queries`` table)."""

    id: int
    at: float  # seconds since the epoch
    user: str | None
    kind: str  # question | sql
    question: str | None
    sql: str | None
    executed_sql: str | None
    status: str  # ok | error | not_run
    rows: int | None
    timings: Mapping[str, float]
    total_ms: float | None
    model: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    cost: float | None
    error: str | None
    stage: str | None
    connection: str | None
    source: str | None
    repairs: int | None
    pid: int | None
    confidence: str | None = None  # high | medium | low (questions answered since confidence was recorded)


@dataclass(frozen=True)
class HistoryPage:
    """One page of the history, newest first."""

    entries: tuple[HistoryEntry, ...]
    page: int
    pages: int
    total: int  # attempts in all (with the status asked for)
    kept: bool  # whether history is being kept now
    problem: str | None  # why not


@dataclass(frozen=True)
class TablePage:
    """One page of the catalog's tables, in catalog order (``%vanna schema``): a warehouse has thousands."""

    tables: tuple  # of Table
    page: int
    pages: int
    total: int  # tables matching the filter
    schemas: int  # schemas among them


@dataclass(frozen=True)
class FollowUp:
    """What the next follow-up question carries into the prompt: the earlier turns, as the model sees them."""

    turns: int
    most: int  # setting follow_up_turns
    tokens: int
    text: str


@dataclass(frozen=True)
class Hit:
    """One search result."""

    kind: str  # one of SEARCH_KINDS
    name: str
    score: float  # relevance in [0, 1]
    text: str  # a line saying what the item is
    path: str | None = None  # the knowledge-base file it comes from, if any


@dataclass(frozen=True)
class KnowledgeImport:
    """Knowledge-base files written by an importer, what it skipped, and the folder as it reads now."""

    files: tuple[str, ...]
    skipped: tuple[str, ...]
    knowledge_base: KnowledgeSummary
