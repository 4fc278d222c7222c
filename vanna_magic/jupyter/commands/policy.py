"""``%vanna policy check SQL``: what a statement becomes for the current role, without running it."""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING

from . import command

if TYPE_CHECKING:
    from ...core.results import PolicyCheck


def _arguments(parser) -> None:
    parser.add_argument("action", choices=["check"], metavar="check")
    parser.add_argument("sql", nargs=argparse.REMAINDER, metavar="SQL", help="the statement to check (not run)")


@command("policy", "policy check SQL: what a statement becomes for the current role, without running it", _arguments)
def policy(session, args) -> "PolicyCheck":
    from ...core.errors import VannaError

    sql = re.sub(r"^\s*policy\s+check\b", "", args.line, count=1).strip() or " ".join(args.sql)
    if not sql:
        raise VannaError("policy check needs a statement", hint="e.g. %vanna policy check SELECT * FROM orders",
                         stage="firewall")
    return session.check_policy(sql)
