"""The answer's display: total rows, what the preview and the row cap cut, column types, paging, --edit."""

from __future__ import annotations

import pandas as pd
import pytest
from IPython.core.error import UsageError

from vanna_magic import Answer
from vanna_magic.core.display import render
from vanna_magic.core.display.paging import Page
from vanna_magic.core.errors import VannaError


def _answer(rows: int, *, max_rows: int = 1000, preview_rows: int = 10) -> Answer:
    frame = pd.DataFrame({"n": range(rows), "label": [f"row {i}" for i in range(rows)]})
    return Answer(question="q", sql="SELECT n, label FROM t", frame=frame, max_rows=max_rows,
                  preview_rows=preview_rows)


def test_small_result_has_no_truncation_notice():
    answer = _answer(3)
    text = render.as_text(answer)
    assert "3 rows" in text and "columns: n int · label text" in text
    assert render.truncation_notice(answer) is None
    assert "vanna-truncated" not in render.as_html(answer)


def test_preview_cut_says_where_all_rows_are():
    answer = _answer(1234, max_rows=5000)
    notice = render.truncation_notice(answer)
    assert notice == ("the preview shows 10 of 1234 rows: all of them are in answer.df (-o VAR), 500 a page "
                      "with %vanna page N (3 pages), without running the query again")
    html = render.as_html(answer)
    assert "vanna-truncated" in html and "1234 rows (showing the first 10)" in html
    assert html.count("</tr>") == 11  # header and the 10 preview rows, never the whole result


def test_row_cap_cut_is_said_in_the_rows_line():
    answer = _answer(1000, max_rows=1000)
    assert "capped at 1000 rows by the firewall: more rows may exist (raise --limit)" in render.as_text(answer)


def test_column_types_of_database_values():
    from datetime import date
    from decimal import Decimal

    frame = pd.DataFrame({"day": [date(2024, 1, 1)], "amount": [Decimal("1.50")], "month": ["2024-01"],
                          "ok": [True], "ratio": [0.5]})
    answer = Answer(question=None, sql="SELECT 1", frame=frame)
    assert render.columns_line(answer) == "columns: day date · amount decimal · month text (date) · ok bool · " \
                                          "ratio float"


def test_pages_hold_500_rows_without_running_again():
    answer = _answer(1234, max_rows=5000)
    page = Page(answer, 3)
    assert len(page.frame) == 234 and page.frame["n"].iloc[0] == 1000
    bundle = page._repr_mimebundle_()
    assert bundle["text/plain"].startswith("page 3 of 3: rows 1001-1234 of 1234")
    assert bundle["text/html"].count("</tr>") == 235  # every row of the page is shown
    assert "next: %vanna page 2" in Page(answer, 1).heading()


@pytest.mark.parametrize("number", [0, 4, -1, "2", True])
def test_pages_that_do_not_exist(number):
    with pytest.raises(VannaError, match="does not exist"):
        Page(_answer(1234, max_rows=5000), number)


def test_vanna_page_command_pages_the_last_answer(shell):
    shell.run_cell("%%vsql --limit 1200\nSELECT order_item_id FROM order_items ORDER BY order_item_id")
    answer = shell.magics_manager.registry["VannaMagic"].notebook.last
    page = shell.run_cell("%vanna page 2").result
    assert isinstance(page, Page) and page.frame["order_item_id"].tolist() == \
        answer.frame["order_item_id"].iloc[500:1000].tolist()
    assert answer.history_id is not None  # one run only: the page came from memory


@pytest.mark.parametrize("line, message", [
    ("%vanna page 9", "page 9 does not exist: the answer has 3 rows in 1 pages of 500"),
    ("%vanna page 0", "expected a positive integer, got '0'"),
    ("%vanna page two", "expected a positive integer, got 'two'"),
])
def test_vanna_page_bad_input(shell, line, message):
    shell.run_cell("%%vsql\nSELECT region_id FROM regions LIMIT 3")
    with pytest.raises(UsageError) as info:
        shell.run_cell(line)
    assert message in str(info.value)


def test_vanna_page_before_any_answer(shell):
    with pytest.raises(UsageError, match="there is no answer to page through yet"):
        shell.run_cell("%vanna page 1")


def test_edit_puts_the_sql_in_a_new_vsql_cell_without_running(shell):
    answer = shell.run_cell("%%ask --edit --limit 20\nWhat was the revenue per month in 2024?").result
    assert answer.status == "not_run" and answer.frame is None and answer.sql
    assert "the SQL is in a new %%vsql cell below" in render.as_text(answer)
    source = shell.rl_next_input
    assert source.startswith("%%vsql --limit 20\n-- What was the revenue per month in 2024?\n")
    assert source.rstrip().endswith(answer.sql.strip())
    rerun = shell.run_cell(source).result  # the cell it wrote runs as it stands
    assert rerun.status == "ok" and rerun.row_count == 12


def test_edit_with_output_is_refused(shell):
    with pytest.raises(UsageError, match="--edit does not run the query, so -o/--output has no rows to store"):
        shell.run_cell("%%ask --edit -o df\nWhat was the revenue per month in 2024?")
