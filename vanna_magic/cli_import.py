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
    dbt.add_argument("project", help="the dbt project folder, its target/ folder, or manifest.json")
    metadata = sources.add_parser("metadata", help='a column-description file {"table_metadata": {...}}')
    metadata.add_argument("file", help="the metadata.json file")
    comments = sources.add_parser("comments", help="table and column comments and foreign keys of a database")
    comments.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: from settings)")
    for sub in (dbt, metadata, comments):
        sub.add_argument("--to", required=True, metavar="DIR", help="the knowledge-base folder to write into")
        sub.add_argument("--force", action="store_true", help="overwrite files that were not written by an importer")


def run(args: argparse.Namespace) -> int:
    try:
        if args.source == "dbt":
            from .core.knowledge.importers.dbt import import_dbt

            result = import_dbt(args.project, args.to, force=args.force)
        elif args.source == "metadata":
            from .core.knowledge.importers.metadata import import_metadata

            result = import_metadata(args.file, args.to, force=args.force)
        else:
            from .core.knowledge.importers.comments import import_comments
            from .core.session import Session

            session = Session(**({"connection": args.db} if args.db else {}))
            result = import_comments(session.catalog().tables(refresh=True), args.to, force=args.force)
        from .core.knowledge.files import load_knowledge_base

        kb = load_knowledge_base([args.to])
    except VannaError as exc:
        print(redact(f"error [{exc.stage}]: {exc}"), file=sys.stderr)
        return 1
    for path in result.files:
        print(f"wrote {path}")
    for reason in result.skipped:
        print(f"skipped {reason}", file=sys.stderr)
    for problem in kb.problems:
        print(f"knowledge base: {problem}", file=sys.stderr)
    print(f"{args.to}: {len(kb.examples)} examples, {len(kb.definitions)} definitions, {len(kb.documents)} documents")
    return 1 if kb.problems else 0
