"""``vanna-magic import dbt|metadata|comments``: write knowledge-base files from descriptions kept elsewhere."""

from __future__ import annotations

import argparse
import sys

from .core.config import redact
from .core.errors import VannaError


def add_parser(commands) -> None:
    parser = commands.add_parser("import", help="write knowledge-base docs and semantic YAML from dbt, "
                                 "a metadata.json or database comments")
    sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
    dbt = sources.add_parser("dbt", help="a dbt project: target/manifest.json (and catalog.json)")
    dbt.add_argument("path", metavar="project", help="the dbt project folder, its target/ folder, or manifest.json")
    metadata = sources.add_parser("metadata", help='a column-description file {"table_metadata": {...}}')
    metadata.add_argument("path", metavar="file", help="the metadata.json file")
    comments = sources.add_parser("comments", help="table and column comments and foreign keys of a database")
    comments.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: from settings)")
    for sub in (dbt, metadata, comments):
        sub.add_argument("--to", required=True, metavar="DIR", help="the knowledge-base folder to write into")
        sub.add_argument("--force", action="store_true", help="overwrite files that were not written by an importer")


def run(args: argparse.Namespace) -> int:
    from .core.session import Session

    try:
        session = Session(**({"connection": args.db} if getattr(args, "db", None) else {}))
        done = session.import_knowledge(args.source, args.to, path=getattr(args, "path", None), force=args.force)
    except VannaError as exc:
        print(redact(f"error [{exc.stage}]: {exc}"), file=sys.stderr)
        return 1
    for path in done.files:
        print(f"wrote {path}")
    for reason in done.skipped:
        print(f"skipped {reason}", file=sys.stderr)
    kb = done.knowledge_base
    for problem in kb.problems:
        print(f"knowledge base: {problem}", file=sys.stderr)
    print(f"{args.to}: {kb.examples} examples, {kb.definitions} definitions, {kb.documents} documents")
    return 1 if kb.problems else 0
