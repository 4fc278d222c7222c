"""Charts of a result, chosen from its column kinds and built by our code with plotly.

The chart is built from the DataFrame alone: no code written by a model ever runs.
``auto`` picks, in order: a time column with numbers → line; a text column with
numbers → bar; two numbers → scatter. A pie is drawn only when asked for.

>>> import pandas as pd
>>> build_chart(pd.DataFrame({"region": ["north", "south"], "revenue": [3, 4]})).data[0].type
'bar'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.display.columns import NUMBER, TEXT, TIME, as_numbers, as_times, column_kinds
from ..core.errors import ChartError
from ..core.extras import require

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

KINDS = ("auto", "bar", "line", "pie", "scatter")
PIE_MAX_SLICES = 12  # past this a pie is unreadable: a bar says the same
MAX_POINTS = 5000  # a chart of more rows than this says so in its title
PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"


@dataclass(frozen=True)
class ChartPlan:
    """Which columns go where: ``x`` (categories, times or numbers), ``y`` (numbers), ``color`` (a text column)."""

    kind: str
    x: str
    y: list[str]
    color: str | None = None
    kinds: dict[str, str] = field(default_factory=dict)


def describe_columns(kinds: dict[str, str]) -> str:
    """``'2 columns: name (text), email (text)'``: how an error describes a result."""
    listing = ", ".join(f"{name} ({kind})" for name, kind in kinds.items())
    return f"{len(kinds)} column{'s' if len(kinds) != 1 else ''}: {listing}" if kinds else "no columns"


def plan_chart(frame: "pd.DataFrame", kind: str = "auto") -> ChartPlan:
    """The chart ``kind`` would draw of ``frame``; raises :class:`ChartError` saying why none fits."""
    import pandas as pd

    if not isinstance(kind, str) or kind.strip().lower() not in KINDS:
        raise ChartError(f"unknown chart kind {kind!r}: expected one of {', '.join(KINDS)}", kind=kind,
                         hint="Use --chart auto to let the result's column types decide.")
    kind = kind.strip().lower()
    if not isinstance(frame, pd.DataFrame):
        raise ChartError(f"a chart needs a DataFrame, got {type(frame).__name__}", kind=kind)
    frame = _named(frame)
    kinds = column_kinds(frame)
    if frame.empty:
        raise ChartError(f"there is nothing to chart: the result has no rows ({describe_columns(kinds)})",
                         kind=kind, columns=kinds)
    texts = [c for c, k in kinds.items() if k == TEXT]
    times = [c for c, k in kinds.items() if k == TIME]
    all_numbers = [c for c, k in kinds.items() if k == NUMBER]
    numbers = _measures(all_numbers)
    found = f"this result has {describe_columns(kinds)}"

    def fail(needs: str) -> ChartError:
        return ChartError(f"{needs}; {found}", kind=kind, columns=kinds,
                          hint="Ask for other columns, or try --chart auto.")

    if kind == "auto":
        if times and numbers:
            kind = "line"
        elif texts and numbers:
            kind = "bar"
        elif len(all_numbers) >= 2:
            kind = "scatter"
        else:
            raise fail("no chart fits: a chart needs a number column with a date, text or second number column")
    if kind == "line":
        if not numbers or not (times or texts or len(numbers) >= 2):
            raise fail("a line chart needs a number column and a date (or an ordered x) column")
        x = times[0] if times else (texts[0] if texts else numbers[0])
        y = [c for c in numbers if c != x]
        color = texts[0] if times and texts and len(y) == 1 else None
        return ChartPlan("line", x, y, color, kinds)
    if kind == "bar":
        category = texts[0] if texts else (times[0] if times else None)
        if category is None or not numbers:
            raise fail("a bar chart needs a text (category) column and a number column")
        color = texts[1] if len(texts) > 1 and len(numbers) == 1 else None
        return ChartPlan("bar", category, numbers, color, kinds)
    if kind == "scatter":
        pair = numbers if len(numbers) >= 2 else all_numbers  # identifiers only when nothing else pairs up
        if len(pair) < 2:
            raise fail("a scatter chart needs two number columns")
        return ChartPlan("scatter", pair[0], [pair[1]], texts[0] if texts else None, kinds)
    # pie
    if not texts or not numbers:
        raise fail("a pie chart needs one text column and one number column")
    values = as_numbers(frame[numbers[0]])
    if (values < 0).any():
        raise fail(f"a pie chart needs shares, but {numbers[0]} has negative values")
    if frame[texts[0]].nunique() > PIE_MAX_SLICES:
        raise fail(f"a pie chart of more than {PIE_MAX_SLICES} slices is unreadable and {texts[0]} has "
                   f"{frame[texts[0]].nunique()} values (a bar chart fits)")
    return ChartPlan("pie", texts[0], [numbers[0]], None, kinds)


def _named(frame: "pd.DataFrame") -> "pd.DataFrame":
    """Columns named by strings, each name once (a repeated name keeps its first column)."""
    renamed = frame.set_axis([str(c) for c in frame.columns], axis=1)
    return renamed.loc[:, ~renamed.columns.duplicated()]


def _measures(numbers: list[str]) -> list[str]:
    """Number columns worth drawing: identifiers (``id``, ``*_id``) only when nothing else is a number."""
    measures = [c for c in numbers if not (c.lower() == "id" or c.lower().endswith("_id"))]
    return measures or numbers


def build_chart(frame: "pd.DataFrame", kind: str = "auto", title: str | None = None) -> "go.Figure":
    """A plotly Figure of ``frame`` (``kind``: auto, bar, line, pie or scatter).

    Raises:
        ChartError: a sentence saying why no chart of that kind fits the result.
        ConfigurationError: plotly is not installed (the ``charts`` extra).
    """
    go = require("plotly.graph_objects")

    plan = plan_chart(frame, kind)
    data = _named(frame).copy()
    for column in plan.y:
        data[column] = as_numbers(data[column])
    if plan.kinds.get(plan.x) == TIME:
        data[plan.x] = as_times(data[plan.x])
        data = data.sort_values(plan.x, kind="stable")
    elif plan.kind == "scatter":
        data[plan.x] = as_numbers(data[plan.x])
    shown = data.iloc[:MAX_POINTS]
    figure = go.Figure()
    if plan.kind == "pie":
        figure.add_trace(go.Pie(labels=shown[plan.x].astype(str), values=shown[plan.y[0]], name=plan.y[0],
                                sort=False))
    else:
        for label, part in _groups(shown, plan.color):
            for column in plan.y:
                name = column if label is None else (label if len(plan.y) == 1 else f"{label} {column}")
                figure.add_trace(_trace(plan.kind, part[plan.x], part[column], name))
        figure.update_layout(xaxis_title=plan.x, yaxis_title=plan.y[0] if len(plan.y) == 1 else None,
                             barmode="group", legend_title=plan.color)
    heading = title or _title(plan)
    if len(data) > MAX_POINTS:
        heading += f" (first {MAX_POINTS} of {len(data)} rows)"
    figure.update_layout(title=heading, template="plotly_white", margin={"l": 60, "r": 20, "t": 50, "b": 50},
                         showlegend=plan.kind == "pie" or len(figure.data) > 1)
    return figure


def _groups(frame: "pd.DataFrame", color: str | None) -> list[tuple[Any, "pd.DataFrame"]]:
    if color is None:
        return [(None, frame)]
    return [(str(label), part) for label, part in frame.groupby(color, sort=False, dropna=False)]


def _trace(kind: str, x: "pd.Series", y: "pd.Series", name: str) -> Any:
    import plotly.graph_objects as go

    if kind == "bar":
        return go.Bar(x=x.astype(str) if x.dtype == object else x, y=y, name=name)
    mode = "lines+markers" if kind == "line" else "markers"
    return go.Scatter(x=x, y=y, name=name, mode=mode)


def _title(plan: ChartPlan) -> str:
    measures = ", ".join(plan.y)
    by = f" by {plan.x}" + (f" and {plan.color}" if plan.color else "")
    return f"{measures}{by}" if plan.kind != "scatter" else f"{plan.y[0]} against {plan.x}"


class Chart:
    """A chart in a notebook: plotly's own mimetype (interactive in JupyterLab) and a static SVG fallback.

    The SVG is drawn by :mod:`vanna_magic.jupyter.chart_svg` from the figure's data, so it needs
    no browser engine (no kaleido, no Chrome) and survives nbconvert, GitHub and nbval.
    """

    def __init__(self, figure: "go.Figure"):
        self.figure = figure

    @classmethod
    def of(cls, frame: "pd.DataFrame", kind: str = "auto", title: str | None = None) -> "Chart":
        return cls(build_chart(frame, kind, title))

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .chart_svg import figure_svg

        spec = self.figure.to_plotly_json()
        bundle = {
            PLOTLY_MIMETYPE: {"data": _plain(spec.get("data", [])), "layout": _plain(spec.get("layout", {})),
                              "config": {"displaylogo": False, "responsive": True}},
            "text/html": figure_svg(self.figure),
            "text/plain": f"<Chart: {self.figure.layout.title.text}>",
        }
        return bundle

    def __repr__(self) -> str:
        return f"<Chart: {self.figure.layout.title.text}>"


def _plain(value: Any) -> Any:
    """plotly's JSON form with numpy arrays, timestamps and decimals turned into JSON values."""
    import json

    from plotly.utils import PlotlyJSONEncoder

    return json.loads(json.dumps(value, cls=PlotlyJSONEncoder))
