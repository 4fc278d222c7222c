"""``%vanna breaker reset [NAME]``, ``%vanna metrics`` and ``%vanna usage``."""

from __future__ import annotations

from ...core.status import BREAKERS
from . import command


def _breaker_arguments(parser) -> None:
    parser.add_argument("action", choices=["reset"], help="reset: close the breaker now")
    parser.add_argument("name", nargs="?", choices=BREAKERS, metavar="NAME",
                        help=f"one of {', '.join(BREAKERS)}; all when omitted")


@command("breaker", "reset a circuit breaker (database, model, index), or all of them", _breaker_arguments)
def breaker(session, args) -> None:
    names = list(session.reset_breakers(args.name))
    print(f"circuit breaker{'s' if len(names) > 1 else ''} {', '.join(names)} closed: the next call tries again")


@command("metrics", "request and error counts, latencies per stage, memory, uptime, tokens and cost, as a dict")
def metrics(session, args) -> dict:
    return session.metrics().to_dict()


def _usage_arguments(parser) -> None:
    from ..options import positive_int

    parser.add_argument("--days", type=positive_int, default=30, metavar="N", help="the last N days (30)")


@command("usage", "questions, success rate, tokens and cost per user and day", _usage_arguments)
def usage(session, args):
    import pandas as pd

    rows = session.usage(args.days)
    return pd.DataFrame(rows, columns=["user", "day", "questions", "success_rate", "tokens", "cost"])
