"""``%vanna`` subcommands: one module per feature, each registering its commands here.

A feature adds a module to :data:`MODULES` and declares its commands with
:func:`command`; the ``%vanna`` parser and ``%vanna help`` are built from the registry.
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ..options import MagicParser

if TYPE_CHECKING:
    from ..magics import VannaMagic

MODULES = ("connection", "schema", "status", "knowledge", "operations", "history", "memory", "policy", "panel",
           "conversation", "results", "help")


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[["VannaMagic", argparse.Namespace], Any]


REGISTRY: dict[str, Command] = {}


def command(name: str, help: str, arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None):
    """Register ``run(magic, args)`` as ``%vanna NAME``; ``arguments(parser)`` declares its options."""

    def register(run: Callable[["VannaMagic", argparse.Namespace], Any]):
        REGISTRY[name] = Command(name, help, arguments, run)
        return run

    return register


def build_parser() -> MagicParser:
    for module in MODULES:
        importlib.import_module(f"{__name__}.{module}")
    parser = MagicParser("%vanna", "Connections, schema, status and help.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=MagicParser)
    for cmd in REGISTRY.values():
        cmd.arguments(commands.add_parser(cmd.name, help=cmd.help, description=cmd.help))
    return parser
