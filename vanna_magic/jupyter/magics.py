"""``%%ask``, ``%ask``, ``%%vsql`` and ``%vanna``: thin callers of :class:`~vanna_magic.core.session.Session`."""

from __future__ import annotations

import sys
from typing import Any, Callable, TypeVar

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_cell_magic, line_magic, magics_class
from traitlets import Bool, Float, Int, TraitType, Unicode

from ..core.config import load_settings, setting_fields
from ..core.errors import ModelNotConfiguredError, VannaError
from ..core.redaction import redact_exception
from ..core.session import Session
from .cells import ASK, VSQL, chart_of, check_ask_options, notebook_frames, progress_display, vsql_cell
from .commands import REGISTRY, Notebook, vanna_parser
from .messages import error_text
from .no_model import show_no_model
from .options import split_leading_options, split_words

T = TypeVar("T")
VANNA = vanna_parser()
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
        if shell is not None:  # `%vanna connect dataframes` asks about the notebook's DataFrames, as they are now
            self.session.namespace = shell.user_ns
        self.notebook = Notebook(self._session)  # the last answer, and the session for widgets, for commands

    def _settings_overrides(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.trait_names(config=True) if getattr(self, name) is not None}

    def _session(self) -> Session:
        return self.session.configure(load_settings(self._settings_overrides()))

    def _guarded(self, action: Callable[[], T]) -> T:
        """Run ``action``; turn our errors into one-line ``UsageError``s unless tracebacks are asked for (no model:
        the next step and the closest questions instead)."""
        try:
            return action()
        except VannaError as exc:
            if self.show_traceback or self.session.settings.show_traceback:
                redact_exception(exc)  # the traceback prints the whole chain: none of it may hold a secret
                raise
            answer = getattr(exc, "answer", None)
            if answer is not None:
                self.notebook.last = answer
            if isinstance(exc, ModelNotConfiguredError):
                show_no_model(self.shell, getattr(exc, "suggestions", None) or [])
            raise UsageError(error_text(exc)) from None
        except Exception as exc:  # not ours: IPython shows its traceback, never with a secret in it
            redact_exception(exc)
            raise

    def _report_knowledge_problems(self, session: Session) -> None:
        for problem in session.knowledge_problems(new=True):
            print(f"knowledge base: skipped {problem}", file=sys.stderr)

    def _store(self, output: str | None, answer) -> None:
        self.notebook.last = answer
        if output:
            self.shell.user_ns[output] = answer.frame

    @line_cell_magic
    def ask(self, line: str, cell: str | None = None):
        """Answer a question in SQL and run it: ``%%ask [-o VAR] [--no-run] [--edit] [--chart [KIND]]
        [--follow-up | --new] [--limit N] [--connection URL | --df NAMES]``."""
        tokens, text = split_leading_options(line, ASK)
        args = ASK.parse(tokens)
        check_ask_options(args)
        question = "\n".join(part for part in (text, (cell or "").strip()) if part)

        frames = notebook_frames(self.shell.user_ns, args.df)

        def run():
            session = self._session()
            self._report_knowledge_problems(session)
            with progress_display(self.shell, session.settings.show_progress) as progress:
                return session.ask(question, run=not (args.no_run or args.edit), limit=args.limit,
                                   connection=args.connection, follow_up=args.follow_up, progress=progress,
                                   frames=frames)

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
        [--connection URL | --df NAMES]``."""
        args = VSQL.parse(split_words(line))
        if args.df and args.connection:
            raise UsageError("%%vsql: --df runs over DataFrames, --connection over a database; give one of them")
        frames = notebook_frames(self.shell.user_ns, args.df)

        def run():
            session = self._session()
            with progress_display(self.shell, session.settings.show_progress) as progress:
                return session.run_sql(cell, limit=args.limit, connection=args.connection, progress=progress,
                                       frames=frames)

        answer = self._guarded(run)
        self._store(args.output, answer)
        return self._finish(answer, args)

    @line_magic
    def vanna(self, line: str):
        """``%vanna COMMAND ...``: see ``%vanna help``."""
        args = VANNA.parse(split_words(line))
        args.line = line  # commands taking SQL read it verbatim: shlex would drop its quotes
        name = args.command or "help"

        def run():
            session = self._session()
            session.record_audit({"kind": "command", "command": name})  # usage counts of %vanna tools
            return REGISTRY[name](session, args, self.notebook)

        return self._guarded(run)


VannaMagic = magics_class(type("VannaMagic", (_VannaMagicMethods,), _setting_traits()))
VannaMagic.__doc__ = "The vanna-magic magics; every setting is a ``%config VannaMagic.<name>`` trait."
