"""Audit events: one per rejected statement, emitted through ``Firewall(on_reject=...)``.

An event names who, what rule and which statement (by hash only): never the SQL text,
parameters or secrets, so the audit trail can be kept and shared freely.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import asdict, dataclass, field

from ..identity import current_user  # noqa: F401  (re-exported: the firewall names the user of an event)

AUDIT_LOGGER = "vanna_magic.audit"


@dataclass(frozen=True)
class AuditEvent:
    """A rejected statement: who sent it, which rule fired, and the SHA-256 of the SQL."""

    user: str
    rule: str
    sql_hash: str
    dialect: str
    role: str | None = None
    at: float = field(default_factory=time.time)  # seconds since the epoch, UTC
    kind: str = "firewall_reject"

    def to_dict(self) -> dict:
        return asdict(self)


def sql_hash(sql: str) -> str:
    """The SHA-256 of the statement as sent (hex)."""
    return hashlib.sha256((sql or "").encode("utf-8")).hexdigest()


def log_event(event: AuditEvent) -> None:
    """The default sink: one INFO record on the ``vanna_magic.audit`` logger, fields in ``extra``."""
    logging.getLogger(AUDIT_LOGGER).info("firewall rejected a statement: rule=%s user=%s role=%s sql_sha256=%s",
                                         event.rule, event.user, event.role, event.sql_hash,
                                         extra={"audit": event.to_dict()})
