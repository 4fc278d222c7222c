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


REGIONS = "How many regions are there?"


def record_check(session_factory, kb, path, answer_sql):
    from tests.fakes import FakeModel
    from vanna_magic.core.generate.replay import ReplayModel

    inner = FakeModel([f"```sql\n{answer_sql}\n```"])
    model = ReplayModel(path, model_name="fake/model", inner=inner, mode="record")
    session_factory(model=model, knowledge_base=str(kb), rate_limit=1000).check_example(
        REGIONS, "SELECT COUNT(*) AS regions FROM regions")
    return path


@pytest.mark.parametrize("answer_sql, says, right", [
    ("SELECT COUNT(*) FROM regions", "the model already answers this question right without the example", True),
    ("SELECT COUNT(*) FROM customers", "without the example the answer is not right", False)])
def test_kb_add_check_says_whether_the_model_already_answers_it(shell, session_factory, tmp_path, capsys,
                                                               answer_sql, says, right):
    kb = write_kb(tmp_path / "kb")
    replay = record_check(session_factory, kb, tmp_path / "check.replay.jsonl", answer_sql)
    shell.run_cell(f"%config VannaMagic.knowledge_base = {str(kb)!r}")
    shell.run_cell(f"%config VannaMagic.replay_file = {str(replay)!r}")
    shell.run_cell(f'%vanna kb add --check --question "{REGIONS}" --sql "SELECT COUNT(*) AS regions FROM regions"')
    out = capsys.readouterr().out
    assert says in out and ("the model wrote: SELECT COUNT(*) FROM customers" in out) == (not right)
    assert (kb / "examples" / "how_many_regions_are_there.sql").is_file()  # added either way


def test_kb_add_check_needs_a_model_and_only_kb_add_checks(shell, tmp_path):
    kb = write_kb(tmp_path / "kb")
    shell.run_cell(f"%config VannaMagic.knowledge_base = {str(kb)!r}")
    with pytest.raises(UsageError, match="checking an example needs a language model"):
        shell.run_cell(f'%vanna kb add --check --question "{REGIONS}" --sql "SELECT COUNT(*) FROM regions"')
    assert not (kb / "examples" / "how_many_regions_are_there.sql").exists()
    with pytest.raises(UsageError, match="kb list takes no --check"):
        shell.run_cell("%vanna kb list --check")
