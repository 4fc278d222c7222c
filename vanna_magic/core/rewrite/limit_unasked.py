"""A row limit the question did not ask for: see :func:`limit_unasked`."""

from __future__ import annotations

import re

from ..query import ScopeView

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "dozen": 12, "fifty": 50, "hundred": 100,
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}
_NUMBER = re.compile(r"\d+|[a-z]+")


def numbers_in(question: str) -> set[int]:
    """The whole numbers a question states, in digits or in words, ordinals too (``top 5``, ``three``, ``2021``,
    ``the second most recent``, ``3rd``)."""
    found = set()
    for token in _NUMBER.findall(question.lower().replace(",", "")):
        if token.isdigit():
            found.add(int(token))
        elif token in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[token])
    return found


def limit_unasked(view: ScopeView) -> list[str]:
    """``LIMIT 10`` on the rows of "list all the titles in alphabetical order": a small model caps a list the
    question wants whole. The outermost query's ``LIMIT n`` (n of 2 or more) goes when the question states no
    number n ("the top 5", "three"); ``LIMIT 1``, the answer to "which ... the most", stays. The firewall's row
    cap still bounds what runs. Only for a question (SQL written by hand is never changed).

    >>> from vanna_magic.core.data.schema import tables_from_ddl
    >>> from vanna_magic.core.rewrite import rewrite
    >>> tables = tables_from_ddl("CREATE TABLE paper (title TEXT, year INT)")
    >>> rewrite("SELECT title FROM paper ORDER BY title LIMIT 10", "sqlite", tables, rules=(limit_unasked,),
    ...         question="List all the titles in alphabetical order")
    ('SELECT title FROM paper ORDER BY title', ['LIMIT 10 left out: the question asks for no number of rows'])
    >>> rewrite("SELECT title FROM paper ORDER BY year LIMIT 5", "sqlite", tables, rules=(limit_unasked,),
    ...         question="What are the 5 most recent titles?")
    ('SELECT title FROM paper ORDER BY year LIMIT 5', [])
    """
    from sqlglot import exp

    select = view.scope.expression
    question = view.query.question
    if not question or select is not view.query.tree:
        return []  # only the outermost query's limit is the answer's size
    limit = select.args.get("limit")
    count = limit.expression if isinstance(limit, exp.Limit) else None
    if not (isinstance(count, exp.Literal) and count.is_int) or select.args.get("offset"):
        return []
    n = int(count.this)
    if n < 2 or n in numbers_in(question):
        return []
    select.set("limit", None)
    return [f"LIMIT {n} left out: the question asks for no number of rows"]
