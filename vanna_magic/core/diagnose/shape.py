"""When an answer that ran does not have the shape its question asks for.

A query that runs and returns rows can still answer another question. Some of those mismatches show in
the result's shape, whatever the data means, and none of them needs the data's values to be read by
anyone but this module:

- the question asks for one number ("How many papers ...?", "the number of ...") with no word that
  splits it by something (each, per, by, for every, compared with ...), and the answer has several rows
  ("how many days ..." measures a span, not a count, and is left alone);
- the question counts and the count is 0: a filter that matched nothing (a value spelt otherwise than
  the database stores it) reads the same as a true zero;
- the question lists things ("Which authors ...", "List the titles ...") and the same row comes back
  several times: a join that multiplies rows, where the list wants each thing once;
- the answer stopped at the row cap, so it is not the whole answer.

Each is a reason for ``low`` confidence (:mod:`vanna_magic.core.confidence`), never a change to the SQL.

>>> import pandas as pd
>>> shape_doubts("How many papers were published in 2015?", pd.DataFrame({"n": [3, 4]}))
['the question asks how many, and the answer has 2 rows']
>>> shape_doubts("How many papers were published each year?", pd.DataFrame({"n": [3, 4]}))
[]
>>> shape_doubts("Which authors wrote about parsing?", pd.DataFrame({"name": ["Ada", "Ada", "Bo"]}))
['1 row of 3 repeats another: the list may count things more than once']
"""

from __future__ import annotations

import re

_COUNT = re.compile(r"^\W*(how many|what(?:'s| is| was| are)? the (?:total )?(?:number|count) of|"
                    r"the (?:total )?(?:number|count) of|count)\b")
# "how many days after ..." measures a span, often per group: not a count of things
_MEASURE = re.compile(r"^\W*how many (seconds|minutes|hours|days|weeks|months|years|times)\b")
_SPLIT = re.compile(r"\b(each|per|every|by|for all|respectively|breakdown|broken down|grouped|group|"
                    r"distribution|and how many|along with|with their|with its|together with|compared|versus|vs)\b")
_LIST = re.compile(r"^\W*(which|what|who|list|show|give|find|return|display|name|get)\b")
_AGGREGATE_WORDS = re.compile(r"\b(how many|how much|number of|count|total|sum|average|avg|mean|ratio|"
                              r"percentage|proportion|share|rate|distribution|frequency)\b")


def asks_for_one_count(question: str) -> bool:
    """"How many ..." or "the number of ..." with nothing to split the count by.

    >>> asks_for_one_count("How many restaurants are in Alameda?"), asks_for_one_count("How many per city?")
    (True, False)
    """
    text = question.casefold().strip()
    return bool(_COUNT.search(text)) and not _SPLIT.search(text) and not _MEASURE.search(text)


def asks_for_a_list(question: str) -> bool:
    """A question that asks for things ("Which ...", "List ...") rather than a number about them."""
    text = question.casefold().strip()
    return bool(_LIST.search(text)) and not _AGGREGATE_WORDS.search(text)


def shape_doubts(question: str, frame: object, *, capped: bool = False) -> list[str]:
    """The ways the result ``frame`` does not look like an answer to ``question`` (empty when it does)."""
    if frame is None or not question:
        return []
    rows = len(frame)  # type: ignore[arg-type]
    doubts = []
    if rows > 1 and asks_for_one_count(question):
        doubts.append(f"the question asks how many, and the answer has {rows} rows")
    elif rows == 1 and asks_for_one_count(question) and _counted_zero(frame):
        doubts.append("it counted nothing (0): a filter may match no stored value")
    if rows > 1 and asks_for_a_list(question):
        repeats = _repeated_rows(frame)
        if repeats:
            doubts.append(f"{repeats} row{'s' if repeats > 1 else ''} of {rows} "
                          f"repeat{'s' if repeats == 1 else ''} another: the list may count things more than once")
    if capped:
        doubts.append(f"the answer stopped at the row cap ({rows} rows): more rows exist")
    return doubts


def _counted_zero(frame) -> bool:
    """One row whose every number is 0 (and at least one number)."""
    numbers = [value for value in frame.iloc[0].tolist()
               if isinstance(value, (int, float)) and not isinstance(value, bool)]
    return bool(numbers) and all(value == 0 for value in numbers)


def _repeated_rows(frame) -> int:
    """How many rows are copies of an earlier row (0 when the rows cannot be compared)."""
    try:
        return int(frame.duplicated().sum())
    except TypeError:  # unhashable cells (lists, dicts from JSON columns)
        return 0


def tie_probe(sql: str, dialect: str) -> str | None:
    """A query that tells whether ``sql``'s ``ORDER BY ... LIMIT 1`` cut a tie: the same query returning
    its ordering values for the first two rows, or None when ``sql`` is not such a query.

    "The items made in the earliest year" answered with ``ORDER BY year LIMIT 1`` shows one item when
    several share that year. If both rows of the probe hold the same values, the answer kept one of them.

    >>> tie_probe("SELECT name FROM item ORDER BY year LIMIT 1", "sqlite")
    'SELECT year FROM item ORDER BY year LIMIT 2'
    >>> tie_probe("SELECT city, COUNT(*) AS n FROM shop GROUP BY city ORDER BY n DESC LIMIT 1", "sqlite")
    'SELECT COUNT(*) AS n FROM shop GROUP BY city ORDER BY n DESC LIMIT 2'
    >>> tie_probe("SELECT name FROM item ORDER BY year LIMIT 3", "sqlite") is None
    True
    """
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError, ValueError):
        return None
    limit, order = tree.args.get("limit"), tree.args.get("order")
    count = limit.expression if isinstance(limit, exp.Limit) else None
    if (not isinstance(tree, exp.Select) or order is None or tree.args.get("distinct") or tree.args.get("offset")
            or not (isinstance(count, exp.Literal) and count.is_int and int(count.this) == 1)):
        return None
    aliases = {e.alias: e for e in tree.expressions if isinstance(e, exp.Alias)}
    keys = []
    for ordered in order.expressions:
        key = ordered.this
        if isinstance(key, exp.Column) and not key.table and key.name in aliases:
            key = aliases[key.name]  # the output column the ORDER BY names, alias kept
        elif isinstance(key, exp.Literal):  # ORDER BY 2: the second output column
            position = int(key.this) - 1 if key.is_int else -1
            if not 0 <= position < len(tree.expressions):
                return None
            key = tree.expressions[position]
        if key not in keys:
            keys.append(key)
    keys = [key.copy() for key in keys]
    probe = tree.copy()
    probe.set("expressions", keys)
    probe.set("limit", exp.Limit(expression=exp.Literal.number(2)))
    return probe.sql(dialect=dialect)


def tied(frame) -> bool:
    """Whether the probe's two rows (:func:`tie_probe`) hold the same ordering values."""
    if frame is None or len(frame) < 2:
        return False
    first, second = frame.iloc[0].tolist(), frame.iloc[1].tolist()
    return all(a == b or (a != a and b != b) for a, b in zip(first, second))  # NaN == NaN here
