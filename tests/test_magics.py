"""The magics through a real IPython shell (errors surface as raised UsageErrors)."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from IPython.core.error import UsageError

from tests.fakes import FakeModel
from vanna_magic import Answer, Session
from vanna_magic.core.config import load_settings
from vanna_magic.core.generate.replay import ReplayModel

QUESTION = "Which 5 customers spent the most in 2024?"
SQL = ("SELECT c.name, ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS revenue "
       "FROM customers c JOIN orders o ON o.customer_id = c.customer_id "
       "JOIN order_items oi ON oi.order_id = o.order_id "
       "WHERE o.order_date >= '2024-01-01' AND o.order_date < '2025-01-01' "
       "AND o.status NOT IN ('cancelled', 'returned') GROUP BY c.customer_id ORDER BY revenue DESC LIMIT 5")


@pytest.fixture
def replay_file(tmp_path, cache_dir):
    """A replay file recorded through the real record path, from a fake model."""
    path = tmp_path / "answers.jsonl"
    recorder = ReplayModel(path, model_name="fake/recorder", inner=FakeModel([f"```sql\n{SQL}\n```"]), mode="record")
    settings = load_settings(environ={}, start=None).replace(cache_dir=str(cache_dir))
    Session(settings=settings, model=recorder).ask(QUESTION)
    return path


def test_ask_cell_with_replayed_model(shell, replay_file):
    shell.run_cell(f"%config VannaMagic.replay_file = {str(replay_file)!r}")
    result = shell.run_cell(f"%%ask -o df\n{QUESTION}\n")
    answer = result.result
    assert isinstance(answer, Answer) and answer.replayed and answer.model == "fake/recorder"
    df = shell.user_ns["df"]
    assert isinstance(df, pd.DataFrame) and len(df) == 5
    assert df is answer.df


def test_ask_line_form_and_no_run(shell, replay_file):
    shell.run_cell(f"%config VannaMagic.replay_file = {str(replay_file)!r}")
    answer = shell.run_cell(f"%ask --no-run {QUESTION}").result
    assert answer.status == "not_run" and answer.sql.startswith("SELECT c.name")


def test_ask_without_model_answers_a_known_question(shell):
    answer = shell.run_cell("%%ask -o monthly\nWhat was the revenue per month in 2024?").result
    assert answer.source == "knowledge_base"
    assert len(shell.user_ns["monthly"]) == 12


def test_replay_miss_says_how_to_record(shell, replay_file):
    shell.run_cell(f"%config VannaMagic.replay_file = {str(replay_file)!r}")
    with pytest.raises(UsageError) as info:
        shell.run_cell("%%ask\nWhich products were never ordered?")
    text = str(info.value)
    assert "Which products were never ordered?" in text and "record" in text


@pytest.mark.parametrize("cell,message", [
    ("%%ask --frobnicate\nhow many orders?", "unrecognized arguments: --frobnicate"),
    ("%%ask --limit zero\nhow many orders?", "expected a positive integer"),
    ("%%ask --limit -3\nhow many orders?", "expected a positive integer"),
    ("%%ask -o 1bad\nhow many orders?", "not a valid Python variable name"),
    ("%%ask\n   \n", "the question is empty"),
    ("%%vsql --bogus\nSELECT 1", "unrecognized arguments: --bogus"),
    ("%%vsql\n", "the cell body is empty"),
    ("%%vsql\n-- only a comment\n", "no SQL statement"),
    ("%%vsql\nDELETE FROM orders", r"\[firewall: read_only\] only read-only queries may run: DELETE"),
    ("%%vsql\nSELECT * FROM no_such_table", "no_such_table"),
    ("%vanna frobnicate", "invalid choice: 'frobnicate'"),
    ("%vanna connect", "the following arguments are required: URL"),
    ("%vanna schema no_such_table", "no_such_table"),
])
def test_bad_input_is_a_one_line_usage_error(shell, cell, message):
    with pytest.raises(UsageError, match=message):
        shell.run_cell(cell)


def test_bad_config_values_are_rejected(shell, caplog):
    shell.run_cell("%config VannaMagic.max_rows = 'many'")  # traitlets refuses the type and logs why
    assert "expected an int, not the str 'many'" in caplog.text
    assert shell.run_cell("%%vsql\nSELECT * FROM orders").result.max_rows == 1000
    shell.run_cell("%config VannaMagic.max_rows = -1")
    with pytest.raises(UsageError, match="'max_rows' from override must be positive"):
        shell.run_cell("%%vsql\nSELECT 1")


def test_vsql_output_and_limit(shell):
    answer = shell.run_cell("%%vsql -o rows --limit 7\nSELECT * FROM orders").result
    assert len(shell.user_ns["rows"]) == 7 and answer.capped


def test_unreachable_database_keeps_the_current_connection(shell):
    url = "postgresql://analyst:hunter2secret@127.0.0.1:1/sales"
    with pytest.raises(UsageError) as info:
        shell.run_cell(f"%vanna connect {url}")
    text = str(info.value)
    assert "hunter2secret" not in text and "127.0.0.1:1" in text
    assert shell.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM regions").result.df.iloc[0, 0] > 0


def test_connect_schema_and_status(shell, tmp_path):
    import sqlite3

    db = tmp_path / "tiny.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        conn.execute("INSERT INTO pets (name) VALUES ('Rex'), ('Tom')")
    shell.run_cell(f"%vanna connect sqlite:///{db}")
    tables = shell.run_cell("%vanna schema").result
    assert list(tables["table"]) == ["pets"]
    columns = shell.run_cell("%vanna schema pets").result
    assert list(columns["column"]) == ["id", "name"] and columns["primary key"].tolist() == [True, False]
    report = shell.run_cell("%vanna status").result
    status = report.status
    assert status.database == "ok" and status.tables == 1 and status.mode == "LIMITED_AI"
    assert "mode:" in report.text()


def test_help_lists_every_magic_and_setting(shell):
    text = shell.run_cell("%vanna help").result.text()
    for needle in ("%%ask", "--no-run", "%%vsql", "connect", "schema", "max_rows", "replay_file"):
        assert needle in text


def test_show_traceback_raises_the_original_error(shell):
    from vanna_magic import FirewallError

    shell.run_cell("%config VannaMagic.show_traceback = True")
    with pytest.raises(FirewallError):
        shell.run_cell("%%vsql\nDROP TABLE orders")


def test_load_ext_imports_no_heavy_library():
    code = ("import sys; from IPython.core.interactiveshell import InteractiveShell; "
            "ip = InteractiveShell.instance(); ip.run_line_magic('load_ext', 'vanna_magic'); "
            "import json; print(json.dumps(sorted(m for m in ('litellm', 'faiss', 'pandas', 'sqlalchemy', "
            "'sqlglot', 'tiktoken') if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_a_malformed_knowledge_base_file_is_named_and_the_rest_still_loads(shell, tmp_path, capsys):
    import shutil

    from vanna_magic.core.data.demo import demo_knowledge_base

    kb = tmp_path / "kb"
    shutil.copytree(demo_knowledge_base(), kb)
    (kb / "examples" / "broken.sql").write_text("-- Question: Which orders are broken?\nSELECT FROM WHERE (\n")
    (kb / "semantic.yaml").write_text((kb / "semantic.yaml").read_text() + "\n  - name: [unclosed\n")
    shell.run_cell(f"%config VannaMagic.knowledge_base = {str(kb)!r}")
    answer = shell.run_cell("%%ask\nWhat was the revenue per month in 2024?").result
    err = capsys.readouterr().err
    assert f"{kb / 'examples' / 'broken.sql'}:2:" in err
    assert f"{kb / 'semantic.yaml'}:" in err
    assert answer.source == "knowledge_base" and len(answer.df) == 12
    shell.run_cell("%%ask\nWhat was the revenue per month in 2024?")
    assert capsys.readouterr().err == "", "each problem is reported once"


def test_schema_pages_a_big_catalog_and_narrows_it(shell, tmp_path, capsys):
    import sqlite3

    db = tmp_path / "wide.sqlite"
    with sqlite3.connect(db) as conn:
        for n in range(120):
            conn.execute(f"CREATE TABLE {'sales' if n % 4 == 0 else 'stock'}_{n:03d} (id INTEGER)")
    shell.run_cell(f"%vanna connect sqlite:///{db}")
    first = shell.run_cell("%vanna schema").result
    assert len(first) == 50 and "page 1 of 3 (120 tables" in capsys.readouterr().out
    last = shell.run_cell("%vanna schema --page 3").result
    assert len(last) == 20 and set(last["table"]).isdisjoint(first["table"])
    sales = shell.run_cell("%vanna schema --match SALES_").result
    assert len(sales) == 30 and all(name.startswith("sales_") for name in sales["table"])
    with pytest.raises(Exception) as caught:
        shell.run_cell("%vanna schema --page 4")
    assert "page 4" in str(caught.value)
