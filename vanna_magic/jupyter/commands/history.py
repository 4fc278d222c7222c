"""``%vanna history``, ``%vanna rerun ID`` and ``%vanna export ID PATH.csv``."""

from __future__ import annotations

from ..options import positive_int
from . import command

PER_PAGE = 20
_COLUMNS = ["id", "when", "user", "kind", "status", "confidence", "question", "sql", "rows", "total_ms", "model",
            "tokens", "error"]


def _history_arguments(parser) -> None:
    parser.add_argument("--status", choices=["ok", "error", "not_run"], help="only attempts with this status")
    parser.add_argument("--confidence", choices=["high", "medium", "low"],
                        help="only answers with this confidence (the ones to double-check: low)")
    parser.add_argument("--page", type=positive_int, default=1, metavar="N", help=f"page N, {PER_PAGE} a page")


@command("history", "every question and statement run, newest first", _history_arguments)
def history(session, args):
    from datetime import datetime, timezone

    import pandas as pd

    found = session.history(status=args.status, confidence=args.confidence, page=args.page, per_page=PER_PAGE)
    print(f"page {found.page} of {found.pages} ({found.total} attempts"
          f"{' with status ' + args.status if args.status else ''}"
          f"{' with ' + args.confidence + ' confidence' if args.confidence else ''})"
          + ("" if found.kept else f"; history is not being kept: {found.problem}"))
    return pd.DataFrame([{
        "id": e.id, "when": datetime.fromtimestamp(e.at, timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "user": e.user, "kind": e.kind, "status": e.status, "confidence": e.confidence or "",
        "question": e.question or "", "sql": e.sql or "",
        "rows": e.rows, "total_ms": e.total_ms, "model": e.model or "",
        "tokens": (e.prompt_tokens or 0) + (e.completion_tokens or 0), "error": e.error or ""}
        for e in found.entries], columns=_COLUMNS)


@command("rerun", "ask a question from the history again (or run its statement again)",
         lambda parser: parser.add_argument("id", type=positive_int, metavar="ID"), notebook=True)
def rerun(session, args, notebook):
    notebook.last = answer = session.rerun(args.id)
    return answer


def _export_arguments(parser) -> None:
    parser.add_argument("id", type=positive_int, metavar="ID")
    parser.add_argument("path", metavar="PATH.csv")
    parser.add_argument("--max-rows", type=positive_int, metavar="N", help="row cap (export_max_rows)")


@command("export", "run a query from the history again and write all its rows to a CSV file", _export_arguments)
def export(session, args) -> None:
    rows = session.export(args.id, args.path, max_rows=args.max_rows)
    print(f"wrote {rows} rows of query {args.id} to {args.path}")
