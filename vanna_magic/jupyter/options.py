"""Argument parsing for the magics: argparse declarations, errors as one-line ``UsageError``s."""

from __future__ import annotations

import argparse
import difflib
import shlex

from IPython.core.error import UsageError


class MagicParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that raises ``UsageError`` instead of printing and exiting."""

    def __init__(self, prog: str, description: str = "", **kwargs):
        super().__init__(prog=prog, description=description, add_help=False, exit_on_error=False,
                         allow_abbrev=False, **kwargs)

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message}\n{self.format_usage().strip()}")

    def parse(self, tokens: list[str]) -> argparse.Namespace:
        try:
            return self.parse_args(tokens)
        except argparse.ArgumentError as exc:
            self.error(str(exc))


MAX_INTEGER = 2**63 - 1  # the largest integer a database (SQLite, PostgreSQL's bigint) holds


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    if value > MAX_INTEGER:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}, more than any database holds "
                                         f"({MAX_INTEGER})")
    return value


def identifier(text: str) -> str:
    if not text.isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid Python variable name")
    return text


def frame_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected DataFrame names separated by commas, e.g. --df sales,regions")
    bad = [name for name in names if not name.isidentifier()]
    if bad:
        raise argparse.ArgumentTypeError(f"{bad[0]!r} is not a Python variable name")
    return names


def split_leading_options(line: str, parser: argparse.ArgumentParser) -> tuple[list[str], str]:
    """Split ``line`` into the option tokens at its start and the free text after them.

    Questions are prose (apostrophes, quotes, question marks), so only the
    leading options are tokenised; the rest is kept verbatim. ``--`` ends options.
    """
    rest = line.strip()
    tokens: list[str] = []
    while rest.startswith("-"):
        head, _, tail = rest.partition(" ")
        if head == "--":
            return tokens, tail.strip()
        tokens.append(head)
        rest = tail.strip()
        action = parser._option_string_actions.get(head.split("=", 1)[0])
        if action is not None and action.nargs != 0 and "=" not in head and rest:
            # An optional value (--chart [KIND]) is taken when it is one of the choices or close to one
            # (a typo argparse then reports); anything else starts the question.
            word = rest.split(" ", 1)[0]
            if action.nargs == "?" and action.choices and not difflib.get_close_matches(
                    word.lower(), list(action.choices), n=1, cutoff=0.75):
                continue
            value, _, rest = rest.partition(" ")
            tokens.append(value)
            rest = rest.strip()
    return tokens, rest


def split_words(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"cannot read the arguments {line!r}: {exc}") from None
