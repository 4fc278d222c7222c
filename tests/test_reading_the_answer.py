"""Reading an answer: floats for reading in the display only, the executed SQL laid out, maintainers' details
labelled."""

from __future__ import annotations

import pandas as pd
import sqlglot

from vanna_magic import Answer
from vanna_magic.core.display import render

MONEY = 52071.4695


def _answer(**fields) -> Answer:
    frame = pd.DataFrame({"region": ["North", "South"], "revenue": [MONEY, 17.5], "share": [0.0001234567, 0.25],
                          "customer_id": [3.0, None]})
    return Answer(question="q", sql="SELECT region, revenue FROM t", frame=frame, **fields)


def test_floats_are_shown_for_reading_and_the_frame_keeps_every_digit():
    answer = _answer()
    shown = render.as_html(answer) + render.as_text(answer)
    assert "52071.47" in shown and "4695" not in shown
    assert "0.0001235" in shown, "a small fraction keeps its significant digits"
    assert ">3<" in render.as_html(answer) and "3.0" not in render.as_html(answer), "whole numbers show no decimals"
    assert answer.frame["revenue"].iloc[0] == MONEY


def test_the_panel_grid_shows_the_same_numbers(panel_with_frame):
    assert "52071.47" in panel_with_frame.grid.value and "52071.4695" not in panel_with_frame.grid.value


def test_executed_sql_is_laid_out_a_clause_a_line():
    long = ("SELECT c.name, SUM(oi.quantity * oi.unit_price) AS revenue FROM customers c JOIN orders o ON "
            "o.customer_id = c.customer_id JOIN order_items oi ON oi.order_id = o.order_id GROUP BY c.name LIMIT 1000")
    answer = _answer(executed_sql=long, dialect="sqlite")
    text = render.as_text(answer)
    executed = text.split("as executed (after the firewall):\n", 1)[1].split("\n\n", 1)[0]
    assert len(executed.splitlines()) > 5 and max(len(line) for line in executed.splitlines()) < 80
    assert sqlglot.parse_one(executed, read="sqlite") == sqlglot.parse_one(long, read="sqlite"), "the same statement"


def test_sql_that_does_not_parse_is_shown_as_written():
    assert render.pretty_sql("SELEC nonsense (") == "SELEC nonsense ("


def test_maintainers_details_are_labelled():
    html = render.as_html(_answer(prompt_hash="cf3d9a8ae818aaaa"))
    assert "for maintainers: prompt id cf3d9a8ae818" in html
