"""Loader for data-driven test fixtures (``tests/fixtures/**``), in the spirit of sqlglot's.

A fixture file holds cases.  Lines before the first case document the file.  Each case is::

    #| title: what the case shows          <- starts a case; titles are unique per file
    #| dialect: sqlite, postgres           <- optional ``key: value`` options, right after the title
    #| note: one line                      <- an option given again adds a line to its value
    SELECT * FROM t                        <- the input, verbatim (may span lines)
    #| expect:                             <- the expected output: on this line after the colon,
    SELECT * FROM t LIMIT 1000             <- or on the following lines, up to the next title

Leading and trailing blank lines of input and expected output are dropped.  A case
without an ``#| expect:`` line has ``expected = None`` (e.g. cases that expect an error).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
MARK = "#|"


@dataclass(frozen=True)
class Case:
    """One fixture case: its title, options, input and expected output."""

    title: str
    input: str
    expected: str | None
    path: Path
    line: int
    options: dict[str, str] = field(default_factory=dict)

    def option_list(self, key: str, default: str) -> list[str]:
        """A comma-separated option as a list (``dialect: sqlite, postgres``)."""
        return [item.strip() for item in self.options.get(key, default).split(",") if item.strip()]

    def option_lines(self, key: str) -> list[str]:
        """An option given on several lines (``#| note:`` once per note), one item per line."""
        return self.options[key].split("\n") if key in self.options else []

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(FIXTURES)}:{self.line}"


def load_cases(path: str | Path) -> list[Case]:
    """Read the cases of one fixture file; malformed files fail loudly with ``file:line``."""
    path = Path(path)
    if not path.is_absolute():
        path = FIXTURES / path
    cases: list[Case] = []
    current: dict | None = None

    def finish() -> None:
        if current is None:
            return
        expected = None if current["expected"] is None else "\n".join(_trim(current["expected"]))
        cases.append(Case(title=current["title"], input="\n".join(_trim(current["input"])), expected=expected,
                          path=path, line=current["line"], options=current["options"]))

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        directive = _directive(line)
        if directive and directive[0] == "title":
            finish()
            current = {"title": directive[1], "line": number, "options": {}, "input": [], "expected": None}
        elif current is None:
            continue  # the file's header
        elif directive and directive[0] == "expect":
            if current["expected"] is not None:
                raise ValueError(f"{path}:{number}: a second '#| expect:' in case {current['title']!r}")
            current["expected"] = [directive[1]] if directive[1] else []
        elif directive:
            if current["input"] or current["expected"] is not None:
                raise ValueError(f"{path}:{number}: options go right after the title of {current['title']!r}")
            known = current["options"].get(directive[0])
            current["options"][directive[0]] = directive[1] if known is None else f"{known}\n{directive[1]}"
        elif current["expected"] is not None:
            current["expected"].append(line)
        else:
            current["input"].append(line)
    finish()
    titles = [case.title for case in cases]
    duplicates = {title for title in titles if titles.count(title) > 1}
    if duplicates:
        raise ValueError(f"{path}: duplicate case titles {sorted(duplicates)}")
    return cases


def params(path: str | Path, *, expand: str | None = None, default: str = "") -> list:
    """``pytest.param`` per case (or per case and value of the comma-separated option ``expand``)."""
    out = []
    for case in load_cases(path):
        if expand is None:
            out.append(pytest.param(case, id=case.title))
        else:
            out.extend(pytest.param(case, value, id=f"{case.title} [{value}]")
                       for value in case.option_list(expand, default))
    return out


def _directive(line: str) -> tuple[str, str] | None:
    if not line.startswith(MARK):
        return None
    key, _, value = line[len(MARK):].partition(":")
    return key.strip().lower(), value.strip()


def _trim(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def same_sql(actual: str | None, expected: str, dialect: str) -> bool:
    """Whether two statements are the same query: equal syntax trees, whatever the spacing, quoting or
    keyword case a sqlglot release renders. Pins what a rewrite produces, not how the generator prints it."""
    import sqlglot

    if actual is None:
        return False
    if actual == expected:
        return True
    return sqlglot.parse_one(actual, read=dialect) == sqlglot.parse_one(expected, read=dialect)
