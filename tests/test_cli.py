"""The command line, run as a real process where it matters."""

import subprocess
import sys

from vanna_magic.cli import main


def test_known_question_is_answered_without_a_model(capsys):
    assert main(["ask", "What was the revenue per month in 2024?"]) == 0
    out, err = capsys.readouterr()
    assert out.lstrip().startswith("SELECT") and "12 rows" in out
    assert "no model configured" in err


def test_sql_only_prints_no_rows(capsys):
    assert main(["ask", "What was the revenue per month in 2024?", "--sql-only"]) == 0
    out, _ = capsys.readouterr()
    assert "SELECT" in out and "rows" not in out


def test_unknown_question_without_a_model_explains_how_to_configure_one(capsys):
    assert main(["ask", "Which suppliers ship toys to Europe?"]) == 1
    _, err = capsys.readouterr()
    assert "error [generate]: no language model is configured" in err and "VANNA_MAGIC_MODEL" in err


def test_unreachable_database_hides_the_password(capsys):
    code = main(["ask", "How many orders?", "--db", "postgresql://ann:hunter2secret@127.0.0.1:1/shop"])
    _, err = capsys.readouterr()
    assert code == 1 and "hunter2secret" not in err and "error [connect]" in err


def test_bad_limit_is_a_clear_error(capsys):
    assert main(["ask", "What was the revenue per month in 2024?", "--limit", "0"]) == 1
    assert "limit must be a positive integer" in capsys.readouterr().err


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "vanna_magic.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "ask" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "vanna_magic.cli", "ask"], capture_output=True, text=True)
    assert bad.returncode == 2 and "the following arguments are required: question" in bad.stderr


def test_json_carries_the_sql_its_confidence_and_the_rows(capsys):
    import json

    assert main(["ask", "What was the revenue per month in 2024?", "--json", "--rows", "3"]) == 0
    out, _ = capsys.readouterr()
    record = json.loads(out)  # one JSON object, nothing else on stdout
    assert record["sql"].lstrip().upper().startswith("SELECT") and record["row_count"] == 12
    assert record["confidence"]["level"] in ("high", "medium", "low") and record["confidence"]["reasons"]
    assert len(record["rows"]) == 3 and len(record["rows"][0]) == len(record["columns"])


def test_a_bad_row_count_is_one_sentence():
    bad = subprocess.run([sys.executable, "-m", "vanna_magic.cli", "ask", "How many orders?", "--rows", "-2"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "expected a number of rows (0 or more), got '-2'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_reader_that_stops_early_gets_no_traceback(monkeypatch, tmp_path):
    """`vanna-magic ask ... | head -n 1`: when the reader closes the pipe, the command ends quietly."""
    spare = open(tmp_path / "stdout", "w")  # noqa: SIM115 (its descriptor stands in for the closed pipe's)

    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

        def fileno(self):
            return spare.fileno()

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["ask", "What was the revenue per month in 2024?"]) == 0
    spare.close()
