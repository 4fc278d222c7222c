"""Numbers as a reader wants them in a table: for the display only, the DataFrame keeps every digit."""

from __future__ import annotations

import math
from typing import Any, Callable

SIGNIFICANT = 4  # digits kept of a column whose values are all below one in size


def float_formatters(frame: Any) -> dict[Any, Callable[[Any], str]]:
    """One formatter per float column of ``frame`` (by name; columns with a repeated name keep pandas' own).

    A column of whole numbers shows no decimals (an id with NULLs is stored as floats); a column with a value
    of one or more in size shows two (money: 52071.4695 reads 52071.47); a column of fractions keeps four
    significant digits (a rate of 0.000123 stays 0.000123).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"revenue": [52071.4695, 3.0], "rate": [0.000123456, 0.5], "id": [1.0, None]})
    >>> f = float_formatters(frame)
    >>> f["revenue"](52071.4695), f["rate"](0.000123456), f["id"](1.0)
    ('52071.47', '0.0001235', '1')
    """
    names = list(frame.columns)
    formatters: dict[Any, Callable[[Any], str]] = {}
    for position, name in enumerate(names):
        column = frame.iloc[:, position]
        if column.dtype.kind != "f" or names.count(name) > 1:
            continue
        values = [v for v in column.tolist() if isinstance(v, float) and math.isfinite(v)]
        if not values or all(v.is_integer() for v in values):
            formatters[name] = _fixed(0)
        elif max(abs(v) for v in values) >= 1:
            formatters[name] = _fixed(2)
        else:
            formatters[name] = _significant
    return formatters


def _fixed(decimals: int) -> Callable[[Any], str]:
    def fmt(value: Any) -> str:
        return str(value) if not _finite(value) else f"{value:.{decimals}f}"
    return fmt


def _significant(value: Any) -> str:
    return str(value) if not _finite(value) else f"{value:.{SIGNIFICANT}g}"


def _finite(value: Any) -> bool:
    return isinstance(value, float) and math.isfinite(value)
