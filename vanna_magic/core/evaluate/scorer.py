"""Execution match: is a predicted result the gold result, as the public evaluations (sql-eval) judge it?

Used by ``Session.evaluate`` (a knowledge base's examples asked leave-one-out) and by the accuracy
benchmark (``bench/accuracy``).

The rules, in order:

- every acceptable gold query is tried (a benchmark's gold cell may hold several); a prediction is
  right when it matches any gold query that ran; gold queries that fail are skipped, and a
  question none of whose gold queries runs is a gold error, not a wrong answer;
- values are compared canonically: NULL, None, NaN and NaT are one value; booleans, integers,
  decimals and floats are numbers, and floats are rounded to :data:`SIGNIFICANT` significant
  digits (so ``0.1 + 0.2`` equals ``0.3``); dates and times compare as ISO text;
- column names and column order are ignored: each gold column is matched to a column of the
  prediction holding the same values, and a prediction with extra columns is right when the
  gold's columns are among them (sql-eval's "subset" match);
- rows are compared as multisets (duplicates count);
- row order counts only when the gold query's outermost SELECT has an ORDER BY *and* the
  question asks for an order in words (:data:`ORDER_WORDS`: order, sort, arrange, rank and
  their forms, ascending, descending). "Top 5" alone asks which rows, not in what order. Rows
  that tie on the gold's sort key (its ORDER BY names output columns: ``ORDER BY n DESC`` with
  three cities at ``n = 3``) may come in any order among themselves, since SQL leaves that order
  to the database; when the sort key is not among the output columns, the order must be the gold's;
- a gold result with no rows is matched only by a prediction with no rows.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

if TYPE_CHECKING:
    import pandas as pd

SIGNIFICANT = 6
ORDER_WORDS = re.compile(r"\b(order(ed|ing)?|sort(ed|ing)?|arrange(d)?|rank(ed|ing)?|ascending|descending)\b",
                         re.IGNORECASE)
MAX_ASSIGNMENTS = 10_000  # column assignments tried before giving up (columns of identical values multiply them)


@dataclass(frozen=True)
class GoldResult:
    """One gold query and what running it gave: its rows, or the reason it failed."""

    sql: str
    frame: "pd.DataFrame | None"
    error: str | None = None


@dataclass(frozen=True)
class Verdict:
    correct: bool
    reason: str  # why not, in one sentence; "" when correct


class GoldUnavailable(Exception):
    """No gold query of a question ran, so no prediction can be judged."""


def run_gold(queries: Sequence[str], execute: Callable[[str], "pd.DataFrame"]) -> list[GoldResult]:
    """Run every gold query; a failure is kept as its one-line reason (``execute`` raises on failure)."""
    results = []
    for sql in queries:
        try:
            results.append(GoldResult(sql, execute(sql)))
        except Exception as exc:  # a gold query the database refuses is the dataset's problem, kept as data
            results.append(GoldResult(sql, None, one_line(exc)))
    return results


def judge(golds: Sequence[GoldResult], predicted: "pd.DataFrame", question: str, dialect: str) -> Verdict:
    """Whether ``predicted`` matches any gold result that ran.

    Raises:
        GoldUnavailable: no gold query ran.
    """
    ran = [g for g in golds if g.frame is not None]
    if not ran:
        reasons = "; ".join(dict.fromkeys(g.error or "" for g in golds)) or "no gold query"
        raise GoldUnavailable(f"no gold query runs: {reasons}")
    first_reason = ""
    for gold in ran:
        assert gold.frame is not None
        ordered = order_matters(gold.sql, question, dialect)
        verdict = compare(gold.frame, predicted, ordered=ordered,
                          key=sort_key(gold.sql, list(gold.frame.columns), dialect) if ordered else None)
        if verdict.correct:
            return verdict
        first_reason = first_reason or verdict.reason
    return Verdict(False, first_reason)


def order_matters(gold_sql: str, question: str, dialect: str) -> bool:
    """Row order counts: the gold's outermost query has ORDER BY and the question asks for an order."""
    return bool(ORDER_WORDS.search(question)) and has_outer_order_by(gold_sql, dialect)


def has_outer_order_by(sql: str, dialect: str) -> bool:
    import sqlglot
    from sqlglot.errors import SqlglotError

    from vanna_magic.core.guard.parsing import sqlglot_dialect

    try:
        tree = sqlglot.parse_one(sql, read=sqlglot_dialect(dialect))
    except SqlglotError:
        return False
    return tree is not None and tree.args.get("order") is not None


def sort_key(sql: str, columns: Sequence[object], dialect: str) -> list[int] | None:
    """Positions in ``columns`` (the gold's output) of the outer ORDER BY's keys; None when a key is not
    an output column (an expression, a column not selected): then only the gold's exact order will do.

    >>> sort_key("SELECT city, COUNT(*) AS n FROM t GROUP BY city ORDER BY n DESC, t.city", ["city", "n"], "sqlite")
    [1, 0]
    >>> sort_key("SELECT city FROM t ORDER BY LENGTH(city)", ["city"], "sqlite") is None
    True
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    from vanna_magic.core.guard.parsing import sqlglot_dialect

    try:
        tree = sqlglot.parse_one(sql, read=sqlglot_dialect(dialect))
    except SqlglotError:
        return None
    order = tree.args.get("order") if tree is not None else None
    if order is None:
        return None
    names = [str(c).lower() for c in columns]
    key: list[int] = []
    for ordered in order.expressions:
        term = ordered.this
        if isinstance(term, exp.Literal) and not term.is_string and term.name.isdigit():
            position = int(term.name) - 1
        elif isinstance(term, exp.Column) and term.name.lower() in names:
            position = names.index(term.name.lower())
        else:
            return None
        if not 0 <= position < len(names):
            return None
        key.append(position)
    return key


def _ties_reordered(gold_rows: list[tuple], projected: list[tuple], key: Sequence[int]) -> bool:
    """Whether ``projected`` is ``gold_rows`` with rows of equal ``key`` values reordered among themselves."""
    start = 0
    while start < len(gold_rows):
        end = start + 1
        tie = [gold_rows[start][i] for i in key]
        while end < len(gold_rows) and [gold_rows[end][i] for i in key] == tie:
            end += 1
        if Counter(gold_rows[start:end]) != Counter(projected[start:end]):
            return False
        start = end
    return True


def compare(gold: "pd.DataFrame", predicted: "pd.DataFrame", *, ordered: bool,
            key: Sequence[int] | None = None) -> Verdict:
    """Whether ``predicted`` holds ``gold``'s rows (see the module docstring for the rules).

    ``key``: with ``ordered``, the gold columns its rows are sorted on (:func:`sort_key`); rows tied
    on them may come in any order. None: the gold's exact order.
    """
    gold_rows = rows_of(gold)
    predicted_rows = rows_of(predicted)
    if not gold_rows:
        return Verdict(True, "") if not predicted_rows else Verdict(
            False, f"expected no rows, got {len(predicted_rows)}")
    if len(gold_rows) != len(predicted_rows):
        return Verdict(False, f"{len(predicted_rows)} rows, expected {len(gold_rows)}")
    width, predicted_width = len(gold.columns), len(predicted.columns)
    if predicted_width < width:
        return Verdict(False, f"{predicted_width} columns, expected at least {width}")
    gold_columns = [Counter(row[j] for row in gold_rows) for j in range(width)]
    predicted_columns = [Counter(row[i] for row in predicted_rows) for i in range(predicted_width)]
    candidates = [[i for i, values in enumerate(predicted_columns) if values == wanted] for wanted in gold_columns]
    for j, found in enumerate(candidates):
        if not found:
            return Verdict(False, f"no column holds the values of the gold column {str(gold.columns[j])!r}")
    wanted_rows = Counter(gold_rows)
    same_rows_other_order = False
    for tried, assignment in enumerate(_assignments(candidates)):
        if tried >= MAX_ASSIGNMENTS:
            break
        projected = [tuple(row[i] for i in assignment) for row in predicted_rows]
        if Counter(projected) != wanted_rows:
            continue
        if not ordered or projected == gold_rows or (key and _ties_reordered(gold_rows, projected, key)):
            return Verdict(True, "")
        same_rows_other_order = True
    if same_rows_other_order:
        return Verdict(False, "the right rows in the wrong order (the question asks for an order)")
    return Verdict(False, "the columns hold the right values but the rows combine them differently")


def _assignments(candidates: list[list[int]]) -> Iterator[tuple[int, ...]]:
    """Injective choices of one predicted column per gold column, depth first."""
    chosen: list[int] = []

    def walk(j: int) -> Iterator[tuple[int, ...]]:
        if j == len(candidates):
            yield tuple(chosen)
            return
        for i in candidates[j]:
            if i not in chosen:
                chosen.append(i)
                yield from walk(j + 1)
                chosen.pop()

    return walk(0)


def rows_of(frame: "pd.DataFrame") -> list[tuple]:
    return [tuple(canonical(v) for v in row) for row in frame.itertuples(index=False, name=None)]


def canonical(value: Any) -> Any:
    """One hashable form per value, so that equal results compare equal whatever the driver returned."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, Decimal, np.floating)):
        number = float(value)
        if math.isnan(number):
            return None
        if math.isinf(number) or (number.is_integer() and abs(number) < 2 ** 53):
            return int(number) if not math.isinf(number) else number
        return float(f"{number:.{SIGNIFICANT}g}")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return canonical(value.total_seconds())
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, str):
        return value
    return str(value)


def one_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    lines = text.strip().splitlines()
    return lines[0] if lines else type(exc).__name__
