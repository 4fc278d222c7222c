"""``vanna-magic eval``: the report, the files for CI, the exit codes, and every bad input in one sentence.

The model's responses are recorded once per test from FakeModel through the product's ReplayModel,
then the command replays them, as CI does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from tests.fakes import FakeModel
from tests.test_evaluate import EXAMPLES, write_kb
from vanna_magic.cli import main
from vanna_magic.core.generate.replay import ReplayModel, question_of

WRONG_QUESTION = "What is the highest shipping cost?"


@pytest.fixture
def kb(tmp_path, monkeypatch):
    nobody = tmp_path / "nobody"
    nobody.mkdir()
    monkeypatch.setenv("VANNA_MAGIC_USER_KNOWLEDGE_BASE", str(nobody))
    return write_kb(tmp_path / "kb")


def record(session_factory, kb, path, wrong: dict[str, str] | None = None):
    """Record a response for every example's prompt: its own SQL, or the SQL in ``wrong`` for that question."""
    answers = {question: sql for question, sql in EXAMPLES.values()} | (wrong or {})
    inner = FakeModel(lambda messages: f"```sql\n{answers[question_of(messages)]}\n```")
    model = ReplayModel(path, model_name="fake/model", inner=inner, mode="record")
    evaluation = session_factory(model=model, knowledge_base=str(kb), rate_limit=1000).evaluate()
    assert evaluation.stopped is None and len(evaluation.results) == len(EXAMPLES)
    return path


@pytest.fixture
def replay(session_factory, kb, tmp_path):
    return record(session_factory, kb, tmp_path / "eval.replay.jsonl",
                  {WRONG_QUESTION: "SELECT MIN(shipping_cost) FROM orders"})


def one_sentence(err: str) -> bool:
    lines = [line for line in err.strip().splitlines()]
    return len(lines) == 1 and "Traceback" not in err


def test_the_report_with_recorded_responses(kb, replay, tmp_path, capsys):
    report, junit = tmp_path / "out" / "eval.json", tmp_path / "out" / "eval.xml"
    code = main(["eval", "--kb", str(kb), "--replay", str(replay), "--json", str(report), "--junit", str(junit)])
    out, err = capsys.readouterr()
    assert code == 0
    assert "accuracy 67% (2 of 3 examples right)" in out
    assert WRONG_QUESTION in out and "SELECT MIN(shipping_cost) FROM orders" in out and "MAX(shipping_cost)" in out
    assert "[3/3]" in err  # progress, one line per example
    data = json.loads(report.read_text())
    assert data["right"] == 2 and data["counted"] == 3 and data["by_table"]["orders"] == {"right": 1, "counted": 2}
    suite = ElementTree.parse(junit).getroot()
    assert suite.get("tests") == "3" and suite.get("failures") == "1"
    failed = [case.get("name") for case in suite if case.find("failure") is not None]
    assert failed == [WRONG_QUESTION]


@pytest.mark.parametrize("minimum, code", [("60", 0), ("66.6%", 0), ("70", 1), ("100", 1)])
def test_min_accuracy_sets_the_exit_code(kb, replay, capsys, minimum, code):
    assert main(["eval", "--kb", str(kb), "--replay", str(replay), "--quiet", "--min-accuracy", minimum]) == code
    _, err = capsys.readouterr()
    assert ("below --min-accuracy" in err) == (code == 1)


def test_compare_names_the_examples_that_got_better_and_worse(session_factory, kb, replay, tmp_path, capsys):
    before = tmp_path / "before.json"
    assert main(["eval", "--kb", str(kb), "--replay", str(replay), "--quiet", "--json", str(before)]) == 0
    fixed = record(session_factory, kb, tmp_path / "fixed.replay.jsonl",
                   {"How many orders are there per status?": "SELECT status FROM orders"})
    capsys.readouterr()
    assert main(["eval", "--kb", str(kb), "--replay", str(fixed), "--quiet", "--compare", str(before)]) == 0
    out, _ = capsys.readouterr()
    assert "1 better, 1 worse" in out
    assert f"better: {WRONG_QUESTION}" in out and "worse:  How many orders are there per status?" in out


def test_limit_and_sample_choose_fewer_examples(kb, replay, capsys):
    assert main(["eval", "--kb", str(kb), "--replay", str(replay), "--quiet", "--limit", "1"]) == 0
    assert "of 1 examples right" in capsys.readouterr().out
    assert main(["eval", "--kb", str(kb), "--replay", str(replay), "--quiet", "--sample", "2"]) == 0
    assert "of 2 examples right" in capsys.readouterr().out


def test_an_empty_knowledge_base_is_one_sentence(tmp_path, kb, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["eval", "--kb", str(empty), "--model", "openai/anything"]) == 2
    _, err = capsys.readouterr()
    assert one_sentence(err) and "no examples to evaluate" in err


def test_a_missing_knowledge_base_folder_is_named(tmp_path, kb, capsys):
    assert main(["eval", "--kb", str(tmp_path / "nowhere"), "--model", "openai/anything"]) == 2
    _, err = capsys.readouterr()
    error = err.strip().splitlines()[-1]  # after the knowledge base's own warning about the folder
    assert error.startswith("error [config]") and "nowhere (missing)" in error and "Traceback" not in err


def test_an_unreachable_database_is_one_sentence(kb, replay, capsys):
    code = main(["eval", "--kb", str(kb), "--replay", str(replay),
                 "--connection", "postgresql://ann:hunter2secret@127.0.0.1:1/shop"])
    _, err = capsys.readouterr()
    assert code == 2 and one_sentence(err) and "error [connect]" in err and "hunter2secret" not in err


def test_a_replay_miss_is_one_sentence(session_factory, kb, tmp_path, capsys):
    partial = tmp_path / "partial.replay.jsonl"
    record(session_factory, kb, partial)
    lines = partial.read_text().splitlines()
    partial.write_text("\n".join(lines[:1]) + "\n")  # one response kept: the second question misses
    assert main(["eval", "--kb", str(kb), "--replay", str(partial), "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert one_sentence(err) and "has no recorded response for the question" in err and out == ""


def test_recording_without_a_model_is_one_sentence(kb, tmp_path, capsys):
    assert main(["eval", "--kb", str(kb), "--record", str(tmp_path / "new.replay.jsonl")]) == 2
    _, err = capsys.readouterr()
    assert one_sentence(err) and "record mode needs a model" in err
    assert not (tmp_path / "new.replay.jsonl").exists()


def test_no_model_is_one_sentence(kb, capsys):
    assert main(["eval", "--kb", str(kb)]) == 2
    _, err = capsys.readouterr()
    assert one_sentence(err) and "needs a language model" in err


@pytest.mark.parametrize("arguments, says", [
    (["--limit", "0"], "--limit: expected a positive integer"),
    (["--sample", "some"], "--sample: expected a positive integer"),
    (["--min-accuracy", "120"], "--min-accuracy: expected a percentage from 0 to 100"),
    (["--min-accuracy", "high"], "--min-accuracy: expected a percentage from 0 to 100"),
    (["--limit", "2", "--sample", "2"], "not allowed with argument"),
    (["--replay", "a.jsonl", "--record", "b.jsonl"], "not allowed with argument"),
    (["--seed", "x"], "--seed: invalid int value"),
])
def test_wrong_option_values_exit_2(kb, capsys, arguments, says):
    with pytest.raises(SystemExit) as stop:
        main(["eval", "--kb", str(kb), *arguments])
    _, err = capsys.readouterr()
    assert stop.value.code == 2 and says in err


@pytest.mark.parametrize("content, says", [(None, "no earlier evaluation"),
                                           ("[1, 2]", "cannot be read as an evaluation")])
def test_an_unreadable_compare_file_is_one_sentence_before_any_question(kb, replay, tmp_path, capsys, content, says):
    previous = tmp_path / "previous.json"
    if content is not None:
        previous.write_text(content)
    assert main(["eval", "--kb", str(kb), "--replay", str(replay), "--compare", str(previous)]) == 2
    out, err = capsys.readouterr()
    assert one_sentence(err) and says in err and out == ""


def test_an_unwritable_report_path_is_one_sentence(kb, replay, tmp_path, capsys):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    assert main(["eval", "--kb", str(kb), "--replay", str(replay), "--quiet", "--json", str(folder)]) == 2
    _, err = capsys.readouterr()
    assert "cannot write" in err and "Traceback" not in err


def test_an_interrupt_prints_what_was_measured_and_exits_130(kb, replay, monkeypatch, capsys):
    replayed = ReplayModel.complete
    calls = []

    def interrupted(self, messages, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return replayed(self, messages, **kwargs)

    monkeypatch.setattr(ReplayModel, "complete", interrupted)
    assert main(["eval", "--kb", str(kb), "--replay", str(replay), "--quiet"]) == 130
    out, err = capsys.readouterr()
    assert "(1 of 1 examples right)" in out and "interrupted after 1 of 3 examples" in err


def test_eval_is_a_command_of_the_console_script():
    out = subprocess.run([sys.executable, "-m", "vanna_magic.cli", "eval", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "--min-accuracy" in out.stdout and "--compare" in out.stdout


def test_every_eval_option_is_in_the_readme():
    import argparse
    from pathlib import Path

    from vanna_magic import cli_eval

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    commands = argparse.ArgumentParser().add_subparsers()
    cli_eval.add_parser(commands)
    options = [s for action in commands.choices["eval"]._actions for s in action.option_strings
               if s not in ("-h", "--help")]
    assert options and [o for o in options if f"`{o}" not in readme] == []
