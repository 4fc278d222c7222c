"""What kind of values a result column holds: number, time, text, boolean or other.

Decided from the values, not only from the dtype: PostgreSQL ``numeric`` arrives as
``Decimal`` objects, dates as ``datetime.date`` objects, and SQLite stores dates as text
(``'2024-03-01'``), so ISO-looking strings count as time.

>>> import pandas as pd
>>> column_kind(pd.Series(["2024-01", "2024-02"]))
'time'
>>> column_kind(pd.Series(["north", "south"]))
'text'
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

NUMBER, TIME, TEXT, BOOLEAN, OTHER = "number", "time", "text", "boolean", "other"
# 2024, 2024-03, 2024-03-01, 2024-03-01 12:30, 2024-03-01T12:30:00.123+01:00
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$")
_SAMPLE = 200  # values inspected per object column


def column_kind(series: "pd.Series") -> str:
    """The kind of one column (see the module docstring); a column of only NULLs is ``other``."""
    import pandas as pd
    from pandas.api import types

    dtype = series.dtype
    if types.is_bool_dtype(dtype):
        return BOOLEAN
    if types.is_datetime64_any_dtype(dtype):
        return TIME
    if types.is_numeric_dtype(dtype):
        return NUMBER
    values = series.dropna()
    if values.empty:
        return OTHER
    sample = values.iloc[:_SAMPLE].tolist()
    if all(isinstance(v, bool) for v in sample):
        return BOOLEAN
    if all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in sample):
        return NUMBER
    if all(isinstance(v, (dt.date, dt.datetime, pd.Timestamp)) for v in sample):
        return TIME
    if all(isinstance(v, str) for v in sample):
        stripped = [v.strip() for v in sample]
        # Years alone (2024) look like numbers too: only call them time when the column is not all 4 digits
        # or its name says so.
        if all(_ISO.match(v) for v in stripped) and (any(len(v) > 4 for v in stripped) or _named_like_time(series)):
            return TIME
        return TEXT
    return OTHER


def _named_like_time(series: "pd.Series") -> bool:
    name = str(series.name or "").lower()
    return any(word in name for word in ("year", "date", "month", "day", "time", "period"))


def column_kinds(frame: "pd.DataFrame") -> dict[str, str]:
    """``{column: kind}`` in column order (a duplicated name keeps its first column's kind)."""
    kinds: dict[str, str] = {}
    for position, name in enumerate(frame.columns):
        kinds.setdefault(str(name), column_kind(frame.iloc[:, position]))
    return kinds


def as_numbers(series: "pd.Series") -> "pd.Series":
    """A number column as floats (``Decimal`` values included)."""
    import pandas as pd

    return pd.to_numeric(series.map(lambda v: float(v) if isinstance(v, Decimal) else v), errors="coerce")


def as_times(series: "pd.Series") -> "pd.Series":
    """A time column as pandas timestamps (ISO strings parsed; a bare year becomes its 1 January)."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series
    text = series.map(lambda v: v.strip() if isinstance(v, str) else v)
    return pd.to_datetime(text, errors="coerce", format="mixed", utc=_has_offsets(text)).rename(series.name)


def _has_offsets(series: "pd.Series") -> bool:
    def offset(value: object) -> bool:
        if isinstance(value, str):
            return bool(re.search(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$", value))
        return isinstance(value, dt.datetime) and value.tzinfo is not None

    return any(offset(v) for v in series.iloc[:_SAMPLE])


def type_label(series: "pd.Series") -> str:
    """A short type name for a column header: ``int``, ``float``, ``decimal``, ``text``, ``date``..."""
    from pandas.api import types

    dtype = series.dtype
    if types.is_bool_dtype(dtype):
        return "bool"
    if types.is_integer_dtype(dtype):
        return "int"
    if types.is_float_dtype(dtype):
        return "float"
    if types.is_datetime64_any_dtype(dtype):
        return "timestamp"
    values = series.dropna()
    if values.empty:
        return "null"
    first = values.iloc[0]
    if isinstance(first, Decimal):
        return "decimal"
    if isinstance(first, dt.datetime):
        return "timestamp"
    if isinstance(first, dt.date):
        return "date"
    if isinstance(first, str):
        return "text (date)" if column_kind(series) == TIME else "text"
    if isinstance(first, (bytes, bytearray, memoryview)):
        return "bytes"
    return type(first).__name__
