"""``%vanna memory stats|backup [PATH]|restore PATH|cleanup --older-than DAYS`` and ``%vanna tools``."""

from __future__ import annotations

from . import command


def _memory_arguments(parser) -> None:
    parser.add_argument("action", choices=["stats", "backup", "restore", "cleanup"])
    parser.add_argument("path", nargs="?", metavar="PATH", help="backup: where to write; restore: the backup file")
    parser.add_argument("--older-than", type=float, metavar="DAYS", help="cleanup: delete records older than DAYS")


@command("memory", "history size and disk use, backup to one file, validated restore, cleanup of old records",
         _memory_arguments)
def memory(session, args):
    from ...core.errors import VannaError

    if args.action == "stats":
        return session.memory_stats()
    if args.action == "backup":
        target = session.memory_backup(args.path)
        print(f"backed up the history to {target}")
        return None
    if args.action == "restore":
        if not args.path:
            raise VannaError("memory restore needs the backup file", stage="memory",
                             hint="%vanna memory restore PATH (a file written by %vanna memory backup).")
        manifest = session.memory_restore(args.path)
        counts = manifest.get("counts", {})
        print(f"restored {counts.get('queries', 0)} queries and {counts.get('audit', 0)} audit events "
              f"from {args.path} (backed up {manifest.get('created')})")
        return None
    import math

    if args.older_than is None or not math.isfinite(args.older_than) or args.older_than <= 0:
        raise VannaError("memory cleanup needs --older-than DAYS, a positive number of days", stage="memory",
                         hint="e.g. %vanna memory cleanup --older-than 90")
    deleted = session.memory_cleanup(args.older_than)
    print(f"deleted {deleted} records older than {args.older_than:g} days")
    return None


TOOLS = [
    ("ask", "answer a question in SQL and run it", "%%ask [-o VAR] [--no-run] [--limit N] [--connection URL]",
     "question"),
    ("run_sql", "run SQL through the firewall and the read-only executor",
     "%%vsql [-o VAR] [--limit N] [--connection URL]", "sql"),
    ("get_schema", "tables, columns, keys and comments", "%vanna schema [TABLE] [--refresh]", "schema"),
    ("semantic_search", "search the knowledge base by meaning", "%vanna search TEXT", "search"),
    ("chart", "a chart of a result", "the answer's chart (when the result suits one)", "chart"),
    ("memory", "history stats, backup, restore, cleanup", "%vanna memory stats|backup|restore|cleanup", "memory"),
]


@command("tools", "the capabilities the engine offers, with their parameters and usage counts from history")
def tools(session, args):
    import pandas as pd

    from ...core.errors import VannaError
    from . import REGISTRY

    try:
        counts = session.uses()
    except VannaError:
        counts = {}
    rows = []
    for name, what, usage, key in TOOLS:
        available = key in ("question", "sql") or key in REGISTRY
        rows.append({"tool": name, "what": what, "parameters": usage, "available": available,
                     "uses": counts.get(key, 0)})
    return pd.DataFrame(rows)
