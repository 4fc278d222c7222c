"""``vanna-magic``: the command line, a thin caller of :class:`~vanna_magic.core.session.Session`."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import cli_eval, cli_import
from .core.config import redact
from .core.errors import VannaError


def _count(text: str) -> int:
    """A number of rows to print: 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of rows (0 or more), got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vanna-magic", description="Ask questions of a database in plain language.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ask = commands.add_parser("ask", help="answer a question with SQL and its rows")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: the embedded demo database)")
    ask.add_argument("--sql-only", action="store_true", help="print the SQL without running it")
    ask.add_argument("--model", help="litellm model string (default: from settings)")
    ask.add_argument("--replay-file", metavar="PATH", help="serve model responses from this replay file")
    ask.add_argument("--limit", type=int, metavar="N", help="row cap for this question")
    ask.add_argument("--rows", type=_count, default=20, metavar="N", help="rows to print (default 20)")
    ask.add_argument("--json", action="store_true",
                     help="print one JSON object: the answer's provenance (SQL, confidence, notes...) and its rows")
    encrypt = commands.add_parser("encrypt", help="print ENC(...) for a secret read from standard input")
    encrypt.add_argument("--new-key", action="store_true",
                         help="first write a new key to the key file (~/.config/vanna-magic/key)")
    cli_import.add_parser(commands)
    cli_eval.add_parser(commands)
    return parser


def _encrypt(args: argparse.Namespace) -> int:
    """``vanna-magic encrypt``: the secret comes from stdin (a hidden prompt on a terminal), never argv."""
    import getpass

    from .core.session import Session

    try:
        if args.new_key:
            print(f"new key written to {Session.new_secret_key()}; keep it out of the repository", file=sys.stderr)
        plain = getpass.getpass("secret: ") if sys.stdin.isatty() else sys.stdin.read().rstrip("\r\n")
        if not plain:
            print("error [config]: no secret on standard input\nPipe it in, or type it at the prompt.",
                  file=sys.stderr)
            return 1
        print(Session.encrypt(plain))
    except VannaError as exc:
        print(f"error [{exc.stage}]: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # `vanna-magic ask ... | head`: the reader has what it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return 0


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "encrypt":
        return _encrypt(args)
    if args.command == "import":
        return cli_import.run(args)
    if args.command == "eval":
        return cli_eval.run(args)
    from .core.session import Session

    overrides = {key: value for key, value in
                 {"connection": args.db, "model": args.model, "replay_file": args.replay_file}.items() if value}
    try:
        session = Session(**overrides)
        for problem in session.knowledge_problems():
            print(f"knowledge base: skipped {problem}", file=sys.stderr)
        answer = session.ask(args.question, run=not args.sql_only, limit=args.limit)
    except VannaError as exc:
        print(redact(f"error [{exc.stage}]: {exc}"), file=sys.stderr)
        return 1
    if args.json:
        print(_as_json(answer, args.rows))
        return 0
    print(answer.sql)
    if args.sql_only and answer.executed_sql != answer.sql:
        print(f"-- as the firewall will run it: {answer.executed_sql}", file=sys.stderr)
    for note in answer.notes:
        print(f"-- {note}", file=sys.stderr)
    if answer.frame is not None:
        print()
        print(answer.frame.head(args.rows).to_string(index=False, max_colwidth=40))
        shown = min(args.rows, len(answer.frame))
        print(f"\n{len(answer.frame)} rows" + (f" (first {shown} shown)" if shown < len(answer.frame) else ""))
    return 0


def _as_json(answer, rows: int) -> str:
    """The answer as one JSON object: its provenance, its notes and its first ``rows`` rows (dates as ISO text)."""
    import json

    record = {**answer.provenance(), "notes": list(answer.notes)}
    if answer.frame is not None:
        record["columns"] = [str(name) for name in answer.frame.columns]
        record["rows"] = json.loads(answer.frame.head(rows).to_json(orient="values", date_format="iso"))
    return json.dumps(record, default=str)


if __name__ == "__main__":
    sys.exit(main())
