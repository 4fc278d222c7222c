"""What the firewall decides about a statement, and how a rule stops the check at the first that fires."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """What the firewall decided about one statement, and why."""

    allowed: bool
    sql: str | None  # the statement as it will be executed (rewritten), when allowed
    rule: str | None = None  # the rule that fired, when rejected
    message: str | None = None
    node: str | None = None  # the offending part of the tree, rendered as SQL
    hint: str | None = None
    rewrites: tuple[str, ...] = ()  # e.g. ("row_cap: LIMIT 1000", "row_filter: orders")


class Rejection(Exception):
    """Raised inside a check to stop at the first rule that fires."""

    def __init__(self, rule: str, message: str, node: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.verdict = Verdict(allowed=False, sql=None, rule=rule, message=message, node=node, hint=hint)
