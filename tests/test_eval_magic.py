"""``%vanna eval`` in a real IPython shell, replaying responses recorded from FakeModel."""

from __future__ import annotations

import json

import pytest
from IPython.core.error import UsageError

from tests.test_cli_eval import WRONG_QUESTION, record
from tests.test_evaluate import write_kb
from vanna_magic.core.evaluate.report import RIGHT, Evaluation, EvaluationProgress, ExampleResult
from vanna_magic.jupyter.commands.evaluation import EMPTY
from vanna_magic.jupyter.commands.evaluation import EvaluationProgress as ProgressLine


@pytest.fixture
def team(shell, session_factory, tmp_path):
    kb = write_kb(tmp_path / "kb")
    replay = record(session_factory, kb, tmp_path / "eval.replay.jsonl",
                    {WRONG_QUESTION: "SELECT MIN(shipping_cost) FROM orders"})
    shell.run_cell(f"%config VannaMagic.knowledge_base = {str(kb)!r}")
    shell.run_cell(f"%config VannaMagic.replay_file = {str(replay)!r}")
    return kb


def test_eval_shows_the_report_with_failures_folded(shell, team):
    evaluation = shell.run_cell("%vanna eval").result
    assert isinstance(evaluation, Evaluation) and evaluation.tally == (2, 3)
    bundle, _ = evaluation._repr_mimebundle_()
    assert "accuracy 67% (2 of 3 examples right)" in bundle["text/plain"]
    html = bundle["text/html"]
    assert html.count("<details>") == 1 and WRONG_QUESTION in html and "MIN(shipping_cost)" in html
    assert "<th style" in html and ">confidence<" in html and ">table<" in html


def test_eval_writes_json_and_compares_with_it(shell, team, tmp_path, capsys):
    path = tmp_path / "before.json"
    shell.run_cell(f"%vanna eval --json {path}")
    assert json.loads(path.read_text())["right"] == 2 and f"wrote {path}" in capsys.readouterr().out
    again = shell.run_cell(f"%vanna eval --limit 2 --compare {path}").result
    assert again.comparison is not None and again.comparison.better == () and again.comparison.worse == ()
    assert again.total == 2


@pytest.mark.parametrize("line, says", [
    ("%vanna eval --limit 0", "expected a positive integer"),
    ("%vanna eval --sample many", "expected a positive integer"),
    ("%vanna eval --limit 1 --sample 1", "not allowed with argument"),
    ("%vanna eval --compare nowhere.json", "no earlier evaluation at nowhere.json"),
    ("%vanna eval --connection postgresql://nobody@127.0.0.1:1/none", "connect"),
])
def test_bad_input_is_one_raised_sentence(shell, team, line, says):
    with pytest.raises(UsageError, match=says) as raised:
        shell.run_cell(line)
    assert "Traceback" not in str(raised.value)


def test_an_empty_knowledge_base_is_one_raised_sentence(shell, tmp_path):
    (tmp_path / "empty").mkdir()
    shell.run_cell(f"%config VannaMagic.knowledge_base = {str(tmp_path / 'empty')!r}")
    shell.run_cell('%config VannaMagic.model = "openai/anything"')
    with pytest.raises(UsageError, match="no examples to evaluate"):
        shell.run_cell("%vanna eval")


def test_the_progress_line_counts_and_is_emptied_at_the_end():
    shown = []

    class Handle:
        def update(self, data, raw):
            shown.append(data)

    def show(data, raw, display_id):
        shown.append(data)
        return Handle()

    line = ProgressLine(show)
    line(EvaluationProgress(1, 2, ExampleResult("How many?", "SELECT 1", RIGHT), 0.1))
    line.close()
    assert shown[0] == EMPTY and shown[-1] == EMPTY
    assert shown[1]["text/plain"] == "evaluating 1 of 2 (1 right): How many?"
