"""DataFrames asked about: which names may become views, and what may not.

A view name is a SQL identifier (letters, digits and ``_``, not starting with a digit), so the
model writes it unquoted; the value must be a pandas DataFrame whose column names are distinct
(DuckDB would rename a repeated one, and the SQL would name a column the user never wrote).
Each check fails with one sentence.

>>> import pandas as pd
>>> sorted(check_frames({"sales": pd.DataFrame({"amount": [1, 2]})}))
['sales']
>>> check_frames({"sales": [1, 2]})
Traceback (most recent call last):
...
vanna_magic.core.errors.ConfigurationError: sales is a list, not a pandas DataFrame
Pass DataFrames only, e.g. frames={"sales": sales_df}.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from ..errors import ConfigurationError

FRAMES = "dataframes"  # the connection over the notebook's DataFrames
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def is_frame(value: Any) -> bool:
    """A pandas DataFrame (checked without importing pandas when it was never imported)."""
    import sys

    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


def check_frame(name: str, value: Any) -> Any:
    """``value`` when it can be asked about as the view ``name``; else one sentence saying why not."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigurationError(f"{name!r} cannot name a table: use letters, digits and '_', not starting "
                                 "with a digit", setting="frames", hint='Rename it, e.g. frames={"sales": df}.')
    if not is_frame(value):
        raise ConfigurationError(f"{name} is {_article(type(value).__name__)}, not a pandas DataFrame",
                                 setting="frames", hint='Pass DataFrames only, e.g. frames={"sales": sales_df}.')
    columns = [str(column) for column in value.columns]
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    if repeated:
        raise ConfigurationError(f"the DataFrame {name} has more than one column named {', '.join(repeated)}",
                                 setting="frames", hint=f"Rename them first, e.g. {name}.columns = [...].")
    return value


def check_frames(frames: Any) -> dict[str, Any]:
    """Every entry of ``frames`` checked (see :func:`check_frame`); a mapping is required."""
    if not isinstance(frames, Mapping):
        raise ConfigurationError(f"frames must map table names to DataFrames, got {type(frames).__name__}",
                                 setting="frames", hint='Write e.g. frames={"sales": sales_df}.')
    if not frames:
        raise ConfigurationError("frames is empty: there is nothing to ask about", setting="frames",
                                 hint='Write e.g. frames={"sales": sales_df}.')
    return {name: check_frame(name, value) for name, value in frames.items()}


def namespace_frames(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The DataFrames of a notebook's namespace that can be views: public names, distinct column names.

    The others are left out rather than refused: the namespace holds what the user made, not a choice
    of tables (``%%ask --df NAME`` refuses a bad one with its reason).
    """
    found = {}
    for name, value in list(namespace.items()):
        if name.startswith("_") or not is_frame(value):
            continue
        try:
            found[name] = check_frame(name, value)
        except ConfigurationError:
            continue
    return found


def frame_signature(frame: Any) -> tuple:
    """What the catalog shows of a DataFrame: its identity, column names and dtypes (never its values)."""
    return (id(frame), tuple(str(column) for column in frame.columns), tuple(str(t) for t in frame.dtypes))


def _article(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"
