"""``%vanna`` subcommands: one module per feature, each registering its commands here.

A command is a function of the session and the parsed arguments, ``run(session, args)``; a
command that needs the notebook itself (the last answer shown, a widget calling the session
later) declares ``notebook=True`` and is called ``run(session, args, notebook)``. A feature adds
a module to :data:`MODULES` and declares its commands with :func:`command`; the ``%vanna``
parser and ``%vanna help`` are built from the registry. The magic only parses and dispatches.
"""

from __future__ import annotations

import argparse
import functools
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ..options import MagicParser

if TYPE_CHECKING:
    from ...core.answer import Answer
    from ...core.session import Session

MODULES = ("connection", "schema", "status", "knowledge", "operations", "history", "memory", "policy", "panel",
           "conversation", "results", "evaluation", "help")


@dataclass
class Notebook:
    """What a few commands need of the notebook besides the session."""

    session: Callable[[], "Session"]  # the session with the settings in force when called (widgets call it later)
    last: "Answer | None" = None  # the last answer shown: %vanna kb add and %vanna page use it


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[..., Any]  # run(session, args), or run(session, args, notebook) when ``notebook``
    notebook: bool = False

    def __call__(self, session: "Session", args: argparse.Namespace, notebook: Notebook) -> Any:
        return self.run(session, args, notebook) if self.notebook else self.run(session, args)


REGISTRY: dict[str, Command] = {}


def command(name: str, help: str, arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None, *,
            notebook: bool = False):
    """Register ``run(session, args)`` (with ``notebook``: ``run(session, args, notebook)``) as ``%vanna NAME``;
    ``arguments(parser)`` declares its options."""

    def register(run: Callable[..., Any]):
        REGISTRY[name] = Command(name, help, arguments, run, notebook)
        return run

    return register


@functools.cache
def vanna_parser() -> MagicParser:
    """The ``%vanna`` parser: one subcommand per registered command."""
    for module in MODULES:
        importlib.import_module(f"{__name__}.{module}")
    parser = MagicParser("%vanna", "Connections, schema, status and help.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=MagicParser)
    for cmd in REGISTRY.values():
        cmd.arguments(commands.add_parser(cmd.name, help=cmd.help, description=cmd.help))
    return parser
