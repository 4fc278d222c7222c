"""A static SVG of a plotly figure, drawn in Python: the fallback where plotly.js does not run.

Exporting images with plotly needs kaleido and a Chrome; this draws the few trace types
:func:`~vanna_magic.jupyter.charts.build_chart` makes (bar, scatter/line, pie) as plain SVG
inside a ``<div>``, so a notebook viewed on GitHub or in nbconvert's HTML still shows the chart.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import plotly.graph_objects as go

WIDTH, HEIGHT = 640, 360
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 20, 40, 60
_COLOURS = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880", "#ff97ff",
            "#fecb52")


def figure_svg(figure: "go.Figure") -> str:
    """The figure as an SVG image inside a ``<div>`` (HTML), with its title and a legend."""
    traces = list(figure.data)
    title = html.escape(str(figure.layout.title.text or ""))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
             f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>']
    if traces and traces[0].type == "pie":
        parts += _pie(traces[0])
    else:
        parts += _cartesian(figure, traces)
    parts.append("</svg>")
    return '<div class="vanna-chart">' + "".join(parts) + "</div>"


def _pie(trace: Any) -> list[str]:
    labels = [str(v) for v in trace.labels]
    values = [max(float(v or 0), 0.0) for v in trace.values]
    total = sum(values) or 1.0
    cx, cy, r = WIDTH * 0.35, HEIGHT / 2 + 10, min(WIDTH, HEIGHT) / 2 - 50
    parts, angle = [], -math.pi / 2
    for i, (label, value) in enumerate(zip(labels, values)):
        sweep = 2 * math.pi * value / total
        colour = _COLOURS[i % len(_COLOURS)]
        if sweep >= 2 * math.pi - 1e-9:
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colour}"/>')
        elif sweep > 0:
            x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
            x2, y2 = cx + r * math.cos(angle + sweep), cy + r * math.sin(angle + sweep)
            large = 1 if sweep > math.pi else 0
            parts.append(f'<path d="M{cx:.1f},{cy:.1f} L{x1:.1f},{y1:.1f} A{r:.1f},{r:.1f} 0 {large} 1 '
                         f'{x2:.1f},{y2:.1f} Z" fill="{colour}" stroke="white"/>')
        angle += sweep
        share = f"{100 * value / total:.1f}%"
        parts += _legend_entry(i, f"{label} ({share})", colour, x=WIDTH * 0.68)
    return parts


def _cartesian(figure: "go.Figure", traces: list[Any]) -> list[str]:
    categorical = any(t.type == "bar" for t in traces) and not _numeric_or_time(traces[0].x)
    xs_all = [x for t in traces for x in list(t.x)]
    ys_all = [float(y) for t in traces for y in list(t.y) if _finite(y)]
    low, high = min(ys_all + [0.0]), max(ys_all + [0.0])
    if high == low:
        high = low + 1.0
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM

    def ypos(value: float) -> float:
        return _TOP + plot_h * (1 - (value - low) / (high - low))

    parts = [f'<line x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{WIDTH - _RIGHT}" y2="{_TOP + plot_h}" stroke="#444"/>',
             f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_TOP + plot_h}" stroke="#444"/>']
    for tick in _ticks(low, high):
        y = ypos(tick)
        parts.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{WIDTH - _RIGHT}" y2="{y:.1f}" stroke="#eee"/>'
                     f'<text x="{_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(tick)}</text>')
    if categorical:
        categories = list(dict.fromkeys(str(x) for x in xs_all))
        step = plot_w / max(len(categories), 1)
        width = step * 0.8 / max(len(traces), 1)
        for n, trace in enumerate(traces):
            colour = _COLOURS[n % len(_COLOURS)]
            for x, y in zip(trace.x, trace.y):
                if not _finite(y):
                    continue
                left = _LEFT + categories.index(str(x)) * step + step * 0.1 + n * width
                top, bottom = sorted((ypos(float(y)), ypos(0.0)))
                parts.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{bottom - top:.1f}" '
                             f'fill="{colour}"><title>{html.escape(str(x))}: {_fmt(float(y))}</title></rect>')
        every = max(1, math.ceil(len(categories) / 12))
        for i, label in enumerate(categories[::every]):
            x = _LEFT + (i * every + 0.5) * step
            parts.append(f'<text x="{x:.1f}" y="{_TOP + plot_h + 14}" text-anchor="middle">'
                         f'{html.escape(label[:14])}</text>')
    else:
        keys = [_key(x) for x in xs_all if _key(x) is not None]
        x_low, x_high = (min(keys), max(keys)) if keys else (0.0, 1.0)
        if x_high == x_low:
            x_high = x_low + 1.0

        def xpos(value: Any) -> float:
            return _LEFT + plot_w * (_key(value) - x_low) / (x_high - x_low)

        for n, trace in enumerate(traces):
            colour = _COLOURS[n % len(_COLOURS)]
            points = [(xpos(x), ypos(float(y))) for x, y in zip(trace.x, trace.y) if _finite(y) and
                      _key(x) is not None]
            if "lines" in (trace.mode or ""):
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
            parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in points]
        if xs_all:
            ends = ((min(xs_all, key=_key_or_zero), "start", _LEFT), (max(xs_all, key=_key_or_zero), "end",
                                                                      WIDTH - _RIGHT))
            parts += [f'<text x="{x}" y="{_TOP + plot_h + 14}" text-anchor="{anchor}">{html.escape(_label(value))}'
                      '</text>' for value, anchor, x in ends]
    axis_x = html.escape(str(figure.layout.xaxis.title.text or ""))
    axis_y = html.escape(str(figure.layout.yaxis.title.text or ""))
    parts.append(f'<text x="{_LEFT + plot_w / 2}" y="{HEIGHT - 16}" text-anchor="middle">{axis_x}</text>')
    parts.append(f'<text x="14" y="{_TOP + plot_h / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {_TOP + plot_h / 2})">{axis_y}</text>')
    if len(traces) > 1:
        for n, trace in enumerate(traces):
            parts += _legend_entry(n, str(trace.name), _COLOURS[n % len(_COLOURS)], x=WIDTH - _RIGHT - 120)
    return parts


def _legend_entry(i: int, label: str, colour: str, *, x: float) -> list[str]:
    y = _TOP + 6 + i * 16
    return [f'<rect x="{x:.1f}" y="{y}" width="10" height="10" fill="{colour}"/>',
            f'<text x="{x + 14:.1f}" y="{y + 9}">{html.escape(label[:30])}</text>']


def _numeric_or_time(values: Any) -> bool:
    return all(_key(v) is not None for v in list(values)[:50])


def _key(value: Any) -> float | None:
    """A position on a continuous axis: numbers as they are, times as seconds since the epoch."""
    import datetime as dt

    import pandas as pd

    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return pd.Timestamp(value).timestamp()
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and value[:4].isdigit() and "-" in value:  # plotly's form of a datetime
        try:
            return pd.Timestamp(value).timestamp()
        except ValueError:
            return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _key_or_zero(value: Any) -> float:
    key = _key(value)
    return 0.0 if key is None else key


def _label(value: Any) -> str:
    import pandas as pd

    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    return _fmt(float(value)) if _key(value) is not None else str(value)


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.ceil(low / step) * step
    return [start + i * step for i in range(int((high - start) / step) + 1)]


def _fmt(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.3g}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.3g}k"
    return f"{value:.4g}"
