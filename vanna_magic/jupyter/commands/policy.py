"""``%vanna policy check SQL``: what a statement becomes for the current role, without running it."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from . import command


@dataclass(frozen=True)
class PolicyCheck:
    """The firewall's verdict for the current role, printed as a short report."""

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


def _arguments(parser) -> None:
    parser.add_argument("action", choices=["check"], metavar="check")
    parser.add_argument("sql", nargs=argparse.REMAINDER, metavar="SQL", help="the statement to check (not run)")


@command("policy", "policy check SQL: what a statement becomes for the current role, without running it", _arguments)
def policy(magic, args) -> PolicyCheck:
    from ...core.errors import VannaError

    raw = getattr(magic, "raw_line", "") or ""
    sql = re.sub(r"^\s*policy\s+check\b", "", raw, count=1).strip() or " ".join(args.sql)
    if not sql:
        raise VannaError("policy check needs a statement", hint="e.g. %vanna policy check SELECT * FROM orders",
                         stage="firewall")
    session = magic._session()
    db = session.database()
    role = session.data_policy()
    verdict = session.firewall(db.dialect, session.settings.max_rows).check(sql)
    return PolicyCheck(role.role if role is not None else None, db.dialect, verdict.allowed, verdict.sql,
                       verdict.rule, verdict.message, verdict.hint, verdict.rewrites)
