"""Placeholders: see :func:`placeholders`."""

from __future__ import annotations

import re

from ..query import parse_scopes

# A literal a model wrote in place of a value it was not given: 'YOUR_STATE', '%your_city%', '<city>',
# '{city}', '[name]', 'XXX', 'placeholder'. Read with the LIKE wildcards around it taken off.
_PLACEHOLDER = re.compile(
    r"your[ _-][a-z][a-z0-9_ -]*|(?:my|some|enter|insert)_[a-z][a-z0-9_]*|<[a-z_ ]+>|\{[a-z_ ]+\}|\[[a-z_ ]+\]|"
    r"x{3,}|placeholder|(?:value|string|text)[ _-]here",
    re.IGNORECASE)


_WORDS = re.compile(r"[a-z0-9]+")


def placeholders(sql: str, dialect: str, question: str = "") -> list[str]:
    """What a repair should be told about filters on placeholders, not values (in WHERE, ON, HAVING).

    A small model given an instruction ("filter the city with ILIKE") but no city writes
    ``city ILIKE '%your_city%'`` or ``state = 'YOUR_STATE'``: no row holds such a value. A
    literal the question itself contains is a value, never a placeholder. From the query's text alone.

    >>> print(placeholders("SELECT a FROM b WHERE city ILIKE '%your_city%'", "postgres", "average rating")[0][:60])
    '%your_city%' is a placeholder, not a value: filter on the v
    """
    from sqlglot import exp

    if not _PLACEHOLDER.search(sql or ""):  # the usual case, checked on every answer: no parse needed
        return []
    parsed = parse_scopes(sql, dialect)
    if parsed is None:
        return []
    asked = " ".join(_WORDS.findall(question.lower()))
    lines: list[str] = []
    for literal in parsed[0].find_all(exp.Literal, bfs=False):  # in the order they are written
        clause = literal.find_ancestor(exp.Where, exp.Having, exp.Join, exp.Select)
        text = literal.this if literal.is_string and not isinstance(clause, exp.Select) else ""
        core = text.strip().strip("%").strip()
        if not core or not _PLACEHOLDER.fullmatch(core):
            continue
        words = " ".join(_WORDS.findall(core.lower()))
        bracketed = core[0] in "<{[" and core[-1] in ">}]"  # the brackets mark it: "{city}" is no city
        if core.lower() in question.lower() or (not bracketed and words and f" {words} " in f" {asked} "):
            continue
        line = (f"'{text}' is a placeholder, not a value: filter on the value the question names, or leave the "
                "filter out when it names none")
        if line not in lines:
            lines.append(line)
    return lines
