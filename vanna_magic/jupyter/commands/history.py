"""``%vanna history``, ``%vanna rerun ID`` and ``%vanna export ID PATH.csv``."""

from __future__ import annotations

from ..options import positive_int
from . import command

PER_PAGE = 20
_COLUMNS = ["id", "when", "user", "kind", "status", "question", "sql", "rows", "total_ms", "model", "tokens", "error"]


def _history_arguments(parser) -> None:
    parser.add_argument("--status", choices=["ok", "error", "not_run"], help="only attempts with this status")
    parser.add_argument("--page", type=positive_int, default=1, metavar="N", help=f"page N, {PER_PAGE} a page")


@command("history", "every question and statement run, newest first", _history_arguments)
def history(magic, args):
    from datetime import datetime, timezone

    import pandas as pd

    from ...core.errors import VannaError

    store = magic._session().store
    rows, total = store.history(status=args.status, page=args.page, per_page=PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    if args.page > pages:
        raise VannaError(f"page {args.page} does not exist: the history has {total} attempts in {pages} pages",
                         stage="history", hint=f"Ask for a page from 1 to {pages}.")
    print(f"page {args.page} of {pages} ({total} attempts{' with status ' + args.status if args.status else ''})"
          + ("" if store.available else f"; history is not being kept: {store.problem}"))
    return pd.DataFrame([{
        "id": r["id"], "when": datetime.fromtimestamp(r["at"], timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "user": r["user"], "kind": r["kind"], "status": r["status"], "question": r["question"] or "",
        "sql": r["sql"] or "", "rows": r["rows"], "total_ms": r["total_ms"], "model": r["model"] or "",
        "tokens": (r["prompt_tokens"] or 0) + (r["completion_tokens"] or 0), "error": r["error"] or ""}
        for r in rows], columns=_COLUMNS)


@command("rerun", "ask a question from the history again (or run its statement again)",
         lambda parser: parser.add_argument("id", type=positive_int, metavar="ID"))
def rerun(magic, args):
    from ...core.ops.operations import rerun as again

    answer = again(magic._session(), args.id)
    magic.last = answer
    return answer


def _export_arguments(parser) -> None:
    parser.add_argument("id", type=positive_int, metavar="ID")
    parser.add_argument("path", metavar="PATH.csv")
    parser.add_argument("--max-rows", type=positive_int, metavar="N", help="row cap (export_max_rows)")


@command("export", "run a query from the history again and write all its rows to a CSV file", _export_arguments)
def export(magic, args) -> None:
    from ...core.ops.operations import export as write

    rows = write(magic._session(), args.id, args.path, max_rows=args.max_rows)
    print(f"wrote {rows} rows of query {args.id} to {args.path}")
