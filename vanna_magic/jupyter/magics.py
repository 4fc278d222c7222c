"""``%%ask``, ``%ask``, ``%%vsql`` and ``%vanna``: thin callers of :class:`~vanna_magic.core.session.Session`."""

from __future__ import annotations

import sys
from typing import Any, Callable, TypeVar

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_cell_magic, line_magic, magics_class
from traitlets import Bool, Float, Int, TraitType, Unicode

from ..core.config import load_settings, redact, setting_fields
from ..core.errors import VannaError
from ..core.session import Session
from .options import MagicParser, identifier, positive_int, split_leading_options, split_words

T = TypeVar("T")


def _ask_parser() -> MagicParser:
    parser = MagicParser("%%ask", "Answer a question in SQL, run it, and show the rows.")
    parser.add_argument("-o", "--output", type=identifier, metavar="VAR",
                        help="store the result DataFrame in this variable")
    parser.add_argument("--no-run", action="store_true", help="show the SQL without running it")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="row cap for this question")
    parser.add_argument("--connection", metavar="URL", help="database URL for this question only")
    return parser


def _vsql_parser() -> MagicParser:
    parser = MagicParser("%%vsql", "Run SQL through the firewall and the read-only executor.")
    parser.add_argument("-o", "--output", type=identifier, metavar="VAR",
                        help="store the result DataFrame in this variable")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="row cap for this statement")
    parser.add_argument("--connection", metavar="URL", help="database URL for this statement only")
    return parser


def _vanna_parser() -> MagicParser:
    parser = MagicParser("%vanna", "Connections, schema, status and help.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=MagicParser)
    connect = commands.add_parser("connect", help="connect to a database by SQLAlchemy URL")
    connect.add_argument("url", metavar="URL")
    commands.add_parser("status", help="what is connected and configured, checked now")
    schema = commands.add_parser("schema", help="the tables, or one table's columns")
    schema.add_argument("table", nargs="?", metavar="TABLE")
    schema.add_argument("--refresh", action="store_true", help="read the catalog again")
    commands.add_parser("help", help="this help")
    return parser


ASK, VSQL, VANNA = _ask_parser(), _vsql_parser(), _vanna_parser()
_TRAIT_TYPES: dict[type, Callable[..., TraitType]] = {str: Unicode, int: Int, float: Float, bool: Bool}


def _setting_traits() -> dict[str, TraitType]:
    """One ``%config VannaMagic.<name>`` trait per setting; unset (None) means 'from the other sources'."""
    return {
        f.name: _TRAIT_TYPES[f.metadata["kind"]](None, allow_none=True, help=f.metadata["help"]).tag(config=True)
        for f in setting_fields()
    }


class _VannaMagicMethods(Magics):
    def __init__(self, shell=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self.session = Session(settings=load_settings())
        self.connection_override: str | None = None
        self.last: Any = None

    def _settings_overrides(self) -> dict[str, Any]:
        overrides = {name: getattr(self, name) for name in self.trait_names(config=True)
                     if getattr(self, name) is not None}
        if self.connection_override is not None:
            overrides["connection"] = self.connection_override
        return overrides

    def _session(self) -> Session:
        return self.session.configure(load_settings(self._settings_overrides()))

    def _guarded(self, action: Callable[[], T]) -> T:
        """Run ``action``; turn our errors into one-line ``UsageError``s unless tracebacks are asked for."""
        try:
            return action()
        except VannaError as exc:
            if self.show_traceback or self.session.settings.show_traceback:
                raise
            answer = getattr(exc, "answer", None)
            if answer is not None:
                self.last = answer
            rule = getattr(exc, "rule", None)
            prefix = f"[{exc.stage}: {rule}] " if rule else f"[{exc.stage}] "
            tries = f" (after {answer.repairs} repair attempts)" if answer is not None and answer.repairs else ""
            raise UsageError(redact(prefix + str(exc) + tries)) from None

    def _report_knowledge_problems(self, session: Session) -> None:
        for problem in session.knowledge_base.problems:
            text = str(problem)
            if text not in session.knowledge_problems_seen:
                session.knowledge_problems_seen.add(text)
                print(f"knowledge base: skipped {text}", file=sys.stderr)

    def _store(self, output: str | None, answer) -> None:
        self.last = answer
        if output:
            self.shell.user_ns[output] = answer.frame

    @line_cell_magic
    def ask(self, line: str, cell: str | None = None):
        """Answer a question in SQL and run it: ``%%ask [-o VAR] [--no-run] [--limit N] [--connection URL]``."""
        tokens, text = split_leading_options(line, ASK)
        args = ASK.parse(tokens)
        question = "\n".join(part for part in (text, (cell or "").strip()) if part)

        def run():
            session = self._session()
            self._report_knowledge_problems(session)
            return session.ask(question, run=not args.no_run, limit=args.limit, connection=args.connection)

        answer = self._guarded(run)
        self._store(args.output, answer)
        return answer

    @cell_magic
    def vsql(self, line: str, cell: str):
        """Run SQL written by hand through the firewall: ``%%vsql [-o VAR] [--limit N] [--connection URL]``."""
        args = VSQL.parse(split_words(line))
        answer = self._guarded(lambda: self._session().run_sql(cell, limit=args.limit, connection=args.connection))
        self._store(args.output, answer)
        return answer

    @line_magic
    def vanna(self, line: str):
        """``%vanna connect URL | status | schema [TABLE] [--refresh] | help``."""
        args = VANNA.parse(split_words(line))
        if args.command in (None, "help"):
            return Help()
        if args.command == "connect":
            return self._guarded(lambda: self._connect(args.url))
        if args.command == "status":
            return self._guarded(lambda: Status(self._session().status()))
        if args.command == "schema":
            return self._guarded(lambda: self._schema(args.table, args.refresh))
        raise UsageError(f"%vanna: unknown command {args.command!r}")  # argparse rejects these first

    def _connect(self, url: str):
        previous = self.connection_override
        self.connection_override = url
        try:
            session = self._session()
            session.database().ping()
            tables = session.catalog().tables(refresh=True)
        except VannaError:
            self.connection_override = previous  # a failed connect keeps the working connection
            self._session()
            raise
        db = session.database()
        print(f"connected to {redact(db.url)} ({db.dialect}, {len(tables)} tables)")

    def _schema(self, table: str | None, refresh: bool):
        import pandas as pd

        tables = self._session().schema(table, refresh=refresh)
        if table is None:
            return pd.DataFrame([{"table": t.name, "columns": len(t.columns), "rows (estimate)": t.row_estimate,
                                  "comment": t.comment or ""} for t in tables])
        t = tables[0]
        refs = {c: f"{fk.ref_table}.{fk.ref_columns[i]}" for fk in t.foreign_keys for i, c in enumerate(fk.columns)}
        return pd.DataFrame([{"column": c.name, "type": c.type, "nullable": c.nullable,
                              "primary key": c.name in t.primary_key or c.primary_key,
                              "references": refs.get(c.name, ""), "comment": c.comment or ""}
                             for c in t.columns])


VannaMagic = magics_class(type("VannaMagic", (_VannaMagicMethods,), _setting_traits()))
VannaMagic.__doc__ = "The vanna-magic magics; every setting is a ``%config VannaMagic.<name>`` trait."


class Help:
    """``%vanna help``: every magic and option, and every setting."""

    def text(self) -> str:
        settings = "\n".join(f"  {f.name}: {f.metadata['help']}" for f in setting_fields())
        return "\n\n".join([ASK.format_help().strip(), VSQL.format_help().strip(), VANNA.format_help().strip(),
                            "Settings (%config VannaMagic.<name>, VANNA_MAGIC_<NAME>, [tool.vanna_magic]):\n"
                            + settings])

    def _repr_pretty_(self, p, cycle):
        p.text(self.text())


class Status(dict):
    """``%vanna status``: a dict that prints as a short report."""

    def text(self) -> str:
        kb = self.get("knowledge_base", {})
        lines = [
            f"mode:           {self.get('mode')}",
            f"connection:     {self.get('connection')}{' (embedded demo)' if self.get('demo') else ''}",
            f"database:       {self.get('database')}"
            + (f" ({self.get('dialect')}, {self.get('tables')} tables)" if self.get("database") == "ok"
               else f": {self.get('database_error')}"),
            f"model:          {self.get('model') or 'none configured (answers come only from the knowledge base)'}",
            f"replay file:    {self.get('replay_file') or 'none'}",
            f"knowledge base: {kb.get('examples', 0)} examples, {kb.get('definitions', 0)} definitions, "
            f"{kb.get('documents', 0)} documents from {', '.join(kb.get('roots', [])) or 'nowhere'}",
        ]
        lines += [f"  problem: {p}" for p in kb.get("problems", [])]
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle):
        p.text(self.text())
