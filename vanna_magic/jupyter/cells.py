"""What ``%%ask`` and ``%%vsql`` add around the engine in a notebook: their options, charts, ``--edit``, progress."""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

from IPython.core.error import UsageError

from .charts import KINDS
from .options import MagicParser, frame_names, identifier, positive_int

if TYPE_CHECKING:
    from ..core.answer import Answer
    from .progress import ProgressDisplay


def _ask_parser() -> MagicParser:
    parser = MagicParser("%%ask", "Answer a question in SQL, run it, and show the rows.")
    parser.add_argument("-o", "--output", type=identifier, metavar="VAR",
                        help="store the result DataFrame in this variable")
    parser.add_argument("--no-run", action="store_true",
                        help="show the SQL without running it (the database only plans it)")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="row cap for this question")
    parser.add_argument("--connection", metavar="URL", help="database URL or connection name for this question only")
    parser.add_argument("--df", type=frame_names, metavar="NAMES",
                        help="ask about these DataFrames of the notebook (comma-separated names), not the connection")
    add_cell_options(parser, question=True)
    return parser


def _vsql_parser() -> MagicParser:
    parser = MagicParser("%%vsql", "Run SQL through the firewall and the read-only executor.")
    parser.add_argument("-o", "--output", type=identifier, metavar="VAR",
                        help="store the result DataFrame in this variable")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="row cap for this statement")
    parser.add_argument("--connection", metavar="URL", help="database URL or connection name for this statement only")
    parser.add_argument("--df", type=frame_names, metavar="NAMES",
                        help="run it over these DataFrames of the notebook (comma-separated names)")
    add_cell_options(parser, question=False)
    return parser


def add_cell_options(parser: argparse.ArgumentParser, *, question: bool) -> None:
    """``--chart [KIND]`` for both magics; ``--edit``, ``--follow-up`` and ``--new`` for ``%%ask``."""
    parser.add_argument("--chart", nargs="?", const="auto", choices=KINDS, metavar="KIND",
                        help=f"draw the result: {', '.join(KINDS)} (auto when KIND is omitted)")
    if not question:
        return
    parser.add_argument("--edit", action="store_true",
                        help="put the generated SQL into a new %%%%vsql cell below, without running it")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--follow-up", dest="follow_up", action="store_const", const=True, default=None,
                       help="build on the previous questions (their SQL) even if the question reads as new")
    group.add_argument("--new", dest="follow_up", action="store_const", const=False,
                       help="ask afresh, ignoring the previous questions")


ASK, VSQL = _ask_parser(), _vsql_parser()


def notebook_frames(namespace: dict[str, Any], names: list[str] | None) -> dict[str, Any] | None:
    """The values ``--df`` names, from the notebook's namespace (the session checks that they are DataFrames)."""
    if names is None:
        return None
    missing = [name for name in names if name not in namespace]
    if missing:
        raise UsageError(f"--df: there is no variable named {missing[0]} in the notebook; define it first")
    return {name: namespace[name] for name in names}


def check_ask_options(args: argparse.Namespace) -> None:
    """Reject combinations of ``%%ask`` options that cannot work together, before anything runs."""
    not_run = "--edit" if args.edit else "--no-run" if args.no_run else None
    if args.chart and not_run:
        raise UsageError(f"%%ask: --chart needs the rows, but {not_run} does not run the query; drop one of them")
    if getattr(args, "df", None) and args.connection:
        raise UsageError("%%ask: --df asks about DataFrames, --connection about a database; give one of them")
    if args.edit and args.output:
        raise UsageError("%%ask: --edit does not run the query, so -o/--output has no rows to store; "
                         "put -o on the %%vsql cell it creates")


def vsql_cell(answer: "Answer", args: argparse.Namespace) -> str:
    """The source of the ``%%vsql`` cell ``--edit`` creates: the generated SQL with this cell's options."""
    options = []
    if args.limit:
        options.append(f"--limit {args.limit}")
    if args.connection:
        options.append(f"--connection {args.connection}")
    if getattr(args, "df", None):
        options.append(f"--df {','.join(args.df)}")
    header = " ".join(["%%vsql", *options])
    note = f"-- {answer.question}\n" if answer.question and "\n" not in answer.question else ""
    return f"{header}\n{note}{(answer.sql or '').strip()}\n"


def chart_of(answer: "Answer", kind: str) -> Any:
    """The chart display of an answer's rows; raises :class:`~vanna_magic.core.errors.ChartError` when none fits."""
    from .charts import Chart

    return Chart.of(answer.frame, kind, title=answer.question or None)


@contextmanager
def progress_display(shell: Any, enabled: bool) -> Iterator["ProgressDisplay | None"]:
    """A progress display for one cell, in a kernel only (a terminal IPython shows no updating outputs)."""
    if not enabled or getattr(shell, "kernel", None) is None:
        yield None
        return
    from .progress import ProgressDisplay

    display = ProgressDisplay()
    try:
        yield display
    finally:
        display.close()
