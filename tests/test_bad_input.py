"""Bad input never shows a traceback: paths that cannot take a backup, numbers too large for any database,
an empty connection, a NaN age, and questions that end with a question mark."""

from __future__ import annotations

import os
import subprocess

import pytest
from IPython.core.error import UsageError

HUGE = "99999999999999999999999"


@pytest.fixture
def vanna(shell, tmp_path):
    shell.run_cell(f"%config VannaMagic.store_path = {str(tmp_path / 'store.sqlite3')!r}")
    shell.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM orders")
    return shell


def _session(shell):
    return shell.magics_manager.registry["VannaMagic"].session


def _one_sentence(shell, cell):
    with pytest.raises(UsageError) as info:
        shell.run_cell(cell)
    message = str(info.value).splitlines()[0]
    assert message and "Traceback" not in str(info.value)
    return message


def test_a_backup_to_a_folder_a_path_under_a_file_or_a_read_only_folder_is_one_sentence(vanna, tmp_path):
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "a-file").write_text("x")
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    before = sorted(os.listdir(tmp_path))
    assert "it is a folder" in _one_sentence(vanna, f"%vanna memory backup {tmp_path / 'a-folder'}")
    assert "cannot write the backup" in _one_sentence(vanna, f"%vanna memory backup {tmp_path / 'a-file' / 'b.zip'}")
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(read_only)], check=True)
    else:
        os.chmod(read_only, 0o555)
    try:
        assert "cannot write the backup" in _one_sentence(vanna, f"%vanna memory backup {read_only / 'b.zip'}")
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(read_only)], check=True)
        else:
            os.chmod(read_only, 0o755)
    assert sorted(os.listdir(tmp_path)) == before and _session(vanna).store.count() == 1


@pytest.mark.parametrize("cell", [
    f"%vanna rerun {HUGE}", f"%vanna export {HUGE} out.csv", f"%vanna history --page {HUGE}",
    f"%%vsql --limit {HUGE}\nSELECT 1 AS one", f"%vanna export 1 out.csv --max-rows {HUGE}",
    "%vanna memory cleanup --older-than nan", "%vanna memory cleanup --older-than inf",
    "%vanna connect ''", "%vanna connect '   '",
])
def test_out_of_range_and_empty_arguments_are_one_sentence(vanna, cell):
    url = _session(vanna).connection_url
    _one_sentence(vanna, cell)
    assert _session(vanna).connection_url == url  # an empty connect never switches to the demo
    assert _session(vanna).store.count() == 1


def test_the_api_refuses_what_the_magics_refuse(session_factory, tmp_path):
    from vanna_magic.core.errors import VannaError

    session = session_factory(store_path=str(tmp_path / "s.sqlite3"))
    for call in (lambda: session.connect(""), lambda: session.memory_cleanup(float("nan")),
                 lambda: session.history_entry(10**23), lambda: session.run_sql("SELECT 1", limit=10**23),
                 lambda: session.history(page=10**23)):
        with pytest.raises(VannaError):
            call()


def test_ask_takes_a_question_that_ends_with_a_question_mark(shell, tmp_path):
    shell.run_cell(f"%config VannaMagic.store_path = {str(tmp_path / 'store.sqlite3')!r}")
    result = shell.run_cell("%ask How many orders are in each status?")  # the demo's knowledge base knows it
    assert result.result is not None and result.result.question == "How many orders are in each status?"
    assert result.result.status == "ok" and result.result.row_count > 0


def test_a_question_mark_inside_other_code_is_left_to_ipython():
    from vanna_magic.jupyter.question_marks import keep_question_marks

    lines = ["x = 1\n", "    %ask Which regions?\n", "%%ask --limit 5\n", "%timeit len?\n"]
    out = keep_question_marks(lines)
    assert out[0] == lines[0] and out[2] == lines[2] and out[3] == lines[3]
    assert out[1] == "    get_ipython().run_line_magic('ask', 'Which regions?')\n"
