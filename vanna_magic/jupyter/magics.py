"""``%%ask``, ``%ask``, ``%%vsql`` and ``%vanna``: thin callers of :class:`~vanna_magic.core.session.Session`."""

from __future__ import annotations

import sys
from typing import Any, Callable, TypeVar

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_cell_magic, line_magic, magics_class
from traitlets import Bool, Float, Int, TraitType, Unicode

from ..core.config import load_settings, setting_fields
from ..core.errors import VannaError
from ..core.session import Session
from .cells import add_cell_options, chart_of, check_ask_options, progress_display, vsql_cell
from .commands import REGISTRY, build_parser
from .messages import error_text
from .options import MagicParser, identifier, positive_int, split_leading_options, split_words

T = TypeVar("T")


def _ask_parser() -> MagicParser:
    parser = MagicParser("%%ask", "Answer a question in SQL, run it, and show the rows.")
    parser.add_argument("-o", "--output", type=identifier, metavar="VAR",
                        help="store the result DataFrame in this variable")
    parser.add_argument("--no-run", action="store_true",
                        help="show the SQL without running it (the database only plans it)")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="row cap for this question")
    parser.add_argument("--connection", metavar="URL", help="database URL or connection name for this question only")
    add_cell_options(parser, question=True)
    return parser


def _vsql_parser() -> MagicParser:
    parser = MagicParser("%%vsql", "Run SQL through the firewall and the read-only executor.")
    parser.add_argument("-o", "--output", type=identifier, metavar="VAR",
                        help="store the result DataFrame in this variable")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="row cap for this statement")
    parser.add_argument("--connection", metavar="URL", help="database URL or connection name for this statement only")
    add_cell_options(parser, question=False)
    return parser


ASK, VSQL, VANNA = _ask_parser(), _vsql_parser(), build_parser()
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
            raise UsageError(error_text(exc)) from None

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
        """Answer a question in SQL and run it: ``%%ask [-o VAR] [--no-run] [--edit] [--chart [KIND]]
        [--follow-up | --new] [--limit N] [--connection URL]``."""
        tokens, text = split_leading_options(line, ASK)
        args = ASK.parse(tokens)
        check_ask_options(args)
        question = "\n".join(part for part in (text, (cell or "").strip()) if part)

        def run():
            session = self._session()
            self._report_knowledge_problems(session)
            with progress_display(self.shell, session.settings.show_progress) as progress:
                return session.ask(question, run=not (args.no_run or args.edit), limit=args.limit,
                                   connection=args.connection, follow_up=args.follow_up, progress=progress)

        answer = self._guarded(run)
        self._store(args.output, answer)
        return self._finish(answer, args)

    def _finish(self, answer, args):
        """``--edit``: the SQL into a new cell below; ``--chart``: the answer shown, the chart as the cell's value."""
        if getattr(args, "edit", False):
            self.shell.set_next_input(vsql_cell(answer, args), replace=False)
            answer.notes.append("the SQL is in a new %%vsql cell below: edit it there and run that cell")
        if not args.chart:
            return answer
        from IPython.display import display

        display(answer)
        return self._guarded(lambda: chart_of(answer, args.chart))

    @cell_magic
    def vsql(self, line: str, cell: str):
        """Run SQL written by hand through the firewall: ``%%vsql [-o VAR] [--chart [KIND]] [--limit N]
        [--connection URL]``."""
        args = VSQL.parse(split_words(line))

        def run():
            session = self._session()
            with progress_display(self.shell, session.settings.show_progress) as progress:
                return session.run_sql(cell, limit=args.limit, connection=args.connection, progress=progress)

        answer = self._guarded(run)
        self._store(args.output, answer)
        return self._finish(answer, args)

    @line_magic
    def vanna(self, line: str):
        """``%vanna COMMAND ...``: see ``%vanna help``."""
        self.raw_line = line  # commands taking SQL read it verbatim: shlex would drop its quotes
        args = VANNA.parse(split_words(line))
        name = args.command or "help"

        def run():
            self._session().record_audit({"kind": "command", "command": name})  # usage counts of %vanna tools
            return REGISTRY[name].run(self, args)

        return self._guarded(run)


VannaMagic = magics_class(type("VannaMagic", (_VannaMagicMethods,), _setting_traits()))
VannaMagic.__doc__ = "The vanna-magic magics; every setting is a ``%config VannaMagic.<name>`` trait."
