"""``%vanna history``, ``rerun``, ``export`` and ``usage`` through a real shell; ``Answer.page``."""

import csv
import io

import pandas as pd
import pytest
from IPython.core.error import UsageError

from vanna_magic.core.answer import Answer
from vanna_magic.core.errors import VannaError

KNOWN_QUESTION = "How many active customers does each region have?"


@pytest.fixture
def vanna(shell, tmp_path):
    shell.run_cell(f"%config VannaMagic.store_path = {str(tmp_path / 'store.sqlite3')!r}")
    return shell


def test_history_lists_filters_and_pages(vanna, capsys):
    vanna.run_cell(f"%%ask\n{KNOWN_QUESTION}")
    vanna.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM orders")
    with pytest.raises(UsageError):
        vanna.run_cell("%%vsql\nSELECT nope FROM orders")
    frame = vanna.run_cell("%vanna history").result
    assert list(frame["id"]) == [3, 2, 1] and list(frame["status"]) == ["error", "ok", "ok"]
    assert list(frame["kind"]) == ["sql", "sql", "question"] and frame["question"].iloc[2] == KNOWN_QUESTION
    assert "page 1 of 1 (3 attempts)" in capsys.readouterr().out
    errors = vanna.run_cell("%vanna history --status error").result
    assert list(errors["id"]) == [3] and "nope" in errors["error"].iloc[0]
    with pytest.raises(UsageError, match=r"page 2 does not exist: the history has 3 attempts in 1 pages"):
        vanna.run_cell("%vanna history --page 2")
    with pytest.raises(UsageError, match="invalid choice: 'broken'"):
        vanna.run_cell("%vanna history --status broken")
    with pytest.raises(UsageError, match="expected a positive integer, got '0'"):
        vanna.run_cell("%vanna history --page 0")


def test_rerun_asks_again(vanna):
    vanna.run_cell(f"%%ask\n{KNOWN_QUESTION}")
    vanna.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM orders")
    again = vanna.run_cell("%vanna rerun 1").result
    assert again.question == KNOWN_QUESTION and again.status == "ok" and again.history_id == 3
    sql = vanna.run_cell("%vanna rerun 2").result
    assert sql.source == "user" and sql.df.iloc[0, 0] > 1000
    with pytest.raises(UsageError, match=r"\[history\] there is no query 99 in the history"):
        vanna.run_cell("%vanna rerun 99")


def test_export_writes_rfc_4180_csv(vanna, tmp_path):
    vanna.run_cell("%%vsql\nSELECT 'a, \"quoted\"' AS text, 'two\nlines' AS note, NULL AS missing, 1.5 AS x "
                   "UNION ALL SELECT 'plain', 'b', 'c', 2")
    target = tmp_path / "out.csv"
    vanna.run_cell(f"%vanna export 1 {target}")
    raw = target.read_bytes()
    assert raw.startswith(b'text,note,missing,x\r\n"a, ""quoted""","two\nlines",,1.5\r\n')
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows == [["text", "note", "missing", "x"], ['a, "quoted"', "two\nlines", "", "1.5"],
                    ["plain", "b", "c", "2"]]


def test_export_ignores_the_preview_row_cap_and_refuses_past_its_own(vanna, tmp_path):
    vanna.run_cell("%%vsql\nSELECT order_id FROM orders")  # capped at max_rows (1000) in the cell
    target = tmp_path / "orders.csv"
    vanna.run_cell("%config VannaMagic.export_max_rows = 100000")
    vanna.run_cell(f"%vanna export 1 {target}")
    exported = pd.read_csv(target)
    total = vanna.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM orders").result.df.iloc[0, 0]
    assert len(exported) == total > 1000
    with pytest.raises(UsageError) as info:
        vanna.run_cell(f"%vanna export 1 {tmp_path / 'small.csv'} --max-rows 50")
    assert str(info.value).startswith(f"[export] query 1 returns {total} rows, more than the export cap of 50")
    assert not (tmp_path / "small.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("arguments, message", [
    ("1 out.txt", "[export] the export path 'out.txt' does not end in .csv"),
    ("1 /no/such/folder/out.csv", "[export] the folder /no/such/folder does not exist"),
    ("7 out.csv", "[history] there is no query 7 in the history"),
])
def test_export_refuses_bad_input(vanna, arguments, message):
    vanna.run_cell("%%vsql\nSELECT 1 AS one")
    with pytest.raises(UsageError) as info:
        vanna.run_cell(f"%vanna export {arguments}")
    assert str(info.value).startswith(message)


def test_usage_per_user_and_day(vanna):
    vanna.run_cell(f"%%ask\n{KNOWN_QUESTION}")
    with pytest.raises(UsageError):
        vanna.run_cell("%%vsql\nSELECT nope FROM orders")
    usage = vanna.run_cell("%vanna usage").result
    assert list(usage.columns) == ["user", "day", "questions", "success_rate", "tokens", "cost"]
    assert usage["questions"].tolist() == [2] and usage["success_rate"].tolist() == [0.5]


def test_answer_pages_hold_500_rows():
    answer = Answer(question="q", frame=pd.DataFrame({"n": range(1234)}))
    assert answer.page(1)["n"].tolist() == list(range(500))
    assert answer.page(3)["n"].tolist() == list(range(1000, 1234))
    for bad in (0, 4, "1", True):
        with pytest.raises(VannaError) as info:
            answer.page(bad)
        assert info.value.message == f"page {bad!r} does not exist: the answer has 1234 rows in 3 pages of 500"
    with pytest.raises(VannaError, match="this answer has no rows to page through"):
        Answer(question="q").page(1)


def test_export_refuses_a_query_from_another_connection(vanna, tmp_path):
    vanna.run_cell("%%vsql --connection sqlite://\nSELECT 1 AS one")
    with pytest.raises(UsageError) as info:
        vanna.run_cell(f"%vanna export 1 {tmp_path / 'one.csv'}")
    assert str(info.value).startswith("[export] query 1 ran on sqlite://, not on the current connection sqlite:///")
