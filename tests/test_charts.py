"""Charts chosen from column kinds, built with plotly; a sentence when none fits; a static SVG fallback."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
import pytest
from IPython.core.error import UsageError

from vanna_magic.core.display.columns import column_kinds
from vanna_magic.core.errors import ChartError, VannaError
from vanna_magic.jupyter.charts import PLOTLY_MIMETYPE, Chart, build_chart, plan_chart

MONTHS = pd.DataFrame({"month": ["2024-01", "2024-02", "2024-03"], "revenue": [Decimal("10.5"), Decimal("12"), 9]})
REGIONS = pd.DataFrame({"region": ["north", "south", "east"], "customer_id": [1, 2, 3], "revenue": [3.0, 4.5, 1.0]})
NUMBERS = pd.DataFrame({"quantity": [1, 2, 3], "price": [9.5, 8.0, 7.25]})
NAMES = pd.DataFrame({"name": ["Ann", "Bob"], "email": ["a@x", "b@x"]})


@pytest.mark.parametrize("frame, kind, expected", [
    (MONTHS, "auto", ("line", "month", ["revenue"])),
    (REGIONS, "auto", ("bar", "region", ["revenue"])),  # an identifier column is not a measure
    (NUMBERS, "auto", ("scatter", "quantity", ["price"])),
    (REGIONS, "pie", ("pie", "region", ["revenue"])),
    (MONTHS, "bar", ("bar", "month", ["revenue"])),
    (REGIONS, "line", ("line", "region", ["revenue"])),
    (pd.DataFrame({"n": [1, 2], "customer_id": [5, 6]}), "scatter", ("scatter", "n", ["customer_id"])),
])
def test_plan_follows_the_column_kinds(frame, kind, expected):
    plan = plan_chart(frame, kind)
    assert (plan.kind, plan.x, plan.y) == expected


def test_sqlite_dates_stored_as_text_make_a_time_axis(session_factory):
    answer = session_factory().run_sql("SELECT strftime('%Y-%m', order_date) AS month, COUNT(*) AS orders "
                                       "FROM orders GROUP BY 1 ORDER BY 1")
    assert column_kinds(answer.frame) == {"month": "time", "orders": "number"}
    figure = build_chart(answer.frame)
    trace = figure.data[0]
    assert trace.type == "scatter" and trace.mode == "lines+markers"
    assert str(trace.x[0]).startswith(str(answer.frame["month"].iloc[0]))  # parsed to a date, first month first


def test_dates_and_decimals_from_postgres_shapes():
    frame = pd.DataFrame({"day": [dt.date(2024, 1, 2), dt.date(2024, 1, 1)], "total": [Decimal("2.5"), None]})
    figure = build_chart(frame, "line", title="Totals")
    assert figure.layout.title.text == "Totals"
    y = list(figure.data[0].y)
    assert pd.isna(y[0]) and y[1] == 2.5  # sorted by day (Jan 1 first); Decimal became a float


def test_a_second_text_column_splits_the_lines():
    frame = pd.DataFrame({"month": ["2024-01", "2024-02"] * 2, "region": ["north", "north", "south", "south"],
                          "revenue": [1, 2, 3, 4]})
    figure = build_chart(frame)
    assert sorted(trace.name for trace in figure.data) == ["north", "south"]


def test_bare_years_are_numbers_unless_the_column_says_year():
    assert column_kinds(pd.DataFrame({"code": ["2024", "2025"]}))["code"] == "text"
    assert column_kinds(pd.DataFrame({"year": ["2024", "2025"]}))["year"] == "time"


@pytest.mark.parametrize("frame, kind, message", [
    (NAMES, "pie", "a pie chart needs one text column and one number column; this result has 2 columns: "
                   "name (text), email (text)"),
    (NAMES, "auto", "no chart fits: a chart needs a number column with a date, text or second number column; "
                    "this result has 2 columns: name (text), email (text)"),
    (NAMES, "bar", "a bar chart needs a text (category) column and a number column"),
    (NAMES, "scatter", "a scatter chart needs two number columns"),
    (pd.DataFrame({"v": [1, 2]}), "line", "a line chart needs a number column and a date"),
    (pd.DataFrame({"region": ["a", "b"], "delta": [1, -2]}), "pie", "a pie chart needs shares, but delta has "
                                                                     "negative values"),
    (pd.DataFrame({"k": [f"c{i}" for i in range(20)], "v": range(20)}), "pie", "more than 12 slices"),
    (MONTHS.iloc[:0], "auto", "there is nothing to chart: the result has no rows"),
    (MONTHS, "donut", "unknown chart kind 'donut': expected one of auto, bar, line, pie, scatter"),
    ("not a frame", "auto", "a chart needs a DataFrame, got str"),
])
def test_no_fitting_chart_is_a_sentence_saying_why(frame, kind, message):
    with pytest.raises(ChartError) as info:
        build_chart(frame, kind)
    assert message in info.value.message
    assert isinstance(info.value, VannaError) and info.value.stage == "chart"


def test_chart_display_is_plotly_with_a_static_svg_fallback():
    chart = Chart.of(REGIONS)
    assert isinstance(chart.figure, go.Figure)
    bundle = chart._repr_mimebundle_()
    assert set(bundle) == {PLOTLY_MIMETYPE, "text/html", "text/plain"}
    assert bundle[PLOTLY_MIMETYPE]["data"][0]["type"] == "bar"
    html = bundle["text/html"]
    assert "<script" not in html  # no browser engine or plotly.js needed
    svg = ET.fromstring(html[html.index("<svg"):html.rindex("</svg>") + 6])
    bars = [e for e in svg.iter() if e.tag.endswith("rect") and e.find("{http://www.w3.org/2000/svg}title") is not None]
    assert len(bars) == 3


@pytest.mark.parametrize("frame, kind, element", [
    (MONTHS, "auto", "polyline"), (REGIONS, "pie", "path"), (NUMBERS, "auto", "circle")])
def test_every_kind_draws_its_static_shape(frame, kind, element):
    html = Chart.of(frame, kind)._repr_mimebundle_()["text/html"]
    svg = ET.fromstring(html[html.index("<svg"):html.rindex("</svg>") + 6])
    assert any(e.tag.endswith(element) for e in svg.iter())


def test_vsql_chart_option_returns_the_chart(shell):
    chart = shell.run_cell("%%vsql --chart bar -o statuses\nSELECT status, COUNT(*) AS orders FROM orders "
                           "GROUP BY status").result
    assert isinstance(chart, Chart) and chart.figure.data[0].type == "bar"
    assert list(shell.user_ns["statuses"].columns) == ["status", "orders"]


def test_ask_chart_on_a_known_question(shell):
    chart = shell.run_cell("%%ask --chart\nWhat was the revenue per month in 2024?").result
    assert isinstance(chart, Chart) and chart.figure.data[0].mode == "lines+markers"


def test_chart_that_does_not_fit_is_a_usage_error_after_the_answer(shell):
    with pytest.raises(UsageError, match=r"\[chart\] a pie chart needs one text column"):
        shell.run_cell("%%vsql --chart pie -o names\nSELECT name, email FROM customers LIMIT 3")
    assert len(shell.user_ns["names"]) == 3  # the rows are kept


@pytest.mark.parametrize("line, message", [
    ("%%vsql --chart donut", "invalid choice: 'donut'"),
    ("%%ask --chart bars", "invalid choice: 'bars'"),
    ("%%ask --chart --no-run", "--chart needs the rows, but --no-run does not run the query"),
    ("%%ask --chart line --edit", "--chart needs the rows, but --edit does not run the query"),
])
def test_bad_chart_options(shell, line, message):
    with pytest.raises(UsageError) as info:
        shell.run_cell(f"{line}\nSELECT 1")
    assert message in str(info.value)


def test_repeated_and_numbered_column_names():
    repeated = pd.DataFrame([["a", 1, 2], ["b", 3, 4]], columns=["k", "v", "v"])
    assert list(build_chart(repeated).data[0].y) == [1, 3]  # a repeated name keeps its first column
    numbered = pd.DataFrame([["a", 1], ["b", 3]], columns=[0, 1])
    assert build_chart(numbered, "pie").data[0].type == "pie"
