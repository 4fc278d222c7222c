"""``%vanna breaker reset [NAME]``, ``%vanna metrics`` and ``%vanna usage``."""

from __future__ import annotations

from ...core.ops.health import PARTS
from . import command


def _breaker_arguments(parser) -> None:
    parser.add_argument("action", choices=["reset"], help="reset: close the breaker now")
    parser.add_argument("name", nargs="?", choices=PARTS, metavar="NAME",
                        help=f"one of {', '.join(PARTS)}; all when omitted")


@command("breaker", "reset a circuit breaker (database, model, index), or all of them", _breaker_arguments)
def breaker(magic, args) -> None:
    names = magic._session().health.reset(args.name)
    print(f"circuit breaker{'s' if len(names) > 1 else ''} {', '.join(names)} closed: the next call tries again")


@command("metrics", "request and error counts, latencies per stage, memory, uptime, tokens and cost, as a dict")
def metrics(magic, args) -> dict:
    from ...core.ops.operations import metrics as collect

    return collect(magic._session())


def _usage_arguments(parser) -> None:
    from ..options import positive_int

    parser.add_argument("--days", type=positive_int, default=30, metavar="N", help="the last N days (30)")


@command("usage", "questions, success rate, tokens and cost per user and day", _usage_arguments)
def usage(magic, args):
    import pandas as pd

    rows = magic._session().store.usage(args.days)
    return pd.DataFrame(rows, columns=["user", "day", "questions", "success_rate", "tokens", "cost"])
