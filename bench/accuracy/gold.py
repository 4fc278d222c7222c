"""Gold SQL as the public evaluations write it (sql-eval conventions).

A gold cell may hold several acceptable queries separated by ``;``, and ``{a, b}`` in a
SELECT list means "either column set"; ``{}`` (e.g. in ``GROUP BY {}``) repeats the choice.

>>> variants("SELECT {a.x, a.y} FROM a GROUP BY {}")
['SELECT a.x FROM a GROUP BY a.x', 'SELECT a.y FROM a GROUP BY a.y', 'SELECT a.x, a.y FROM a GROUP BY a.x, a.y']
"""

from __future__ import annotations

import itertools
import re

_GROUP = re.compile(r"\{([^{}]*)\}")


def split_statements(cell: str) -> list[str]:
    """Split on ``;`` outside quotes and comments."""
    parts, current, quote, i = [], [], None, 0
    while i < len(cell):
        char = cell[i]
        if quote:
            current.append(char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            current.append(char)
        elif cell.startswith("--", i):
            end = cell.find("\n", i)
            end = len(cell) if end < 0 else end
            current.append(cell[i:end])
            i = end
            continue
        elif char == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def expand(sql: str) -> list[str]:
    """Every variant of ``{a, b}`` groups: each option alone and all of them; ``{}`` repeats the choice."""
    groups = [g for g in _GROUP.findall(sql) if g.strip()]
    if not groups:
        return [sql]
    choices = []
    for group in groups:
        options = [o.strip() for o in group.split(",") if o.strip()]
        choices.append(list(dict.fromkeys(options + [", ".join(options)])))
    return [_fill(sql, combo) for combo in itertools.product(*choices)]


def _fill(sql: str, combo: tuple[str, ...]) -> str:
    picks = iter(combo)
    last: list[str] = []

    def fill(match: "re.Match[str]") -> str:
        if match.group(1).strip():
            last[:] = [next(picks)]
        return last[0] if last else ""

    return _GROUP.sub(fill, sql)


def variants(cell: str) -> list[str]:
    """Every acceptable query of a gold cell: its statements, each with its ``{…}`` groups expanded."""
    return [variant for statement in split_statements(cell) for variant in expand(statement)]
