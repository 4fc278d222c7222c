"""A question no model can answer: the next step in one sentence, and the closest questions as cells to insert."""

import pytest
from IPython.core.error import UsageError

from vanna_magic.jupyter.no_model import INSERT_CLASS, NEXT_STEP, NoModel

UNKNOWN = "Which suppliers ship the most units of toys to Europe?"


@pytest.fixture
def published(shell, monkeypatch):
    """The display bundles the shell publishes."""
    bundles = []
    monkeypatch.setattr(shell.display_pub, "publish", lambda data, *a, **k: bundles.append(data))
    return bundles


def test_no_model_shows_the_next_step_and_the_closest_questions_then_fails_the_cell(shell, published):
    with pytest.raises(UsageError) as info:
        shell.run_cell(f"%%ask\n{UNKNOWN}")
    assert "%config" not in str(info.value) and "VANNA_MAGIC_MODEL" not in str(info.value)
    (bundle,) = published
    text = bundle["text/plain"]
    assert text.splitlines()[0] == NEXT_STEP and "%vanna setup" in text
    questions = [line.strip().removeprefix("%%ask ") for line in text.splitlines()[1:]]
    assert questions and all(q for q in questions)
    assert "%config" not in text and "VANNA_MAGIC_MODEL" not in text, "the ways to configure live in help model"
    html = bundle["text/html"]
    assert html.count(f"class='{INSERT_CLASS}'") == len(questions)
    for question in questions:
        assert f"data-cell='%%ask\n{question}'" in html.replace("&#x27;", "'")


def test_each_suggested_question_is_answered_by_the_knowledge_base(shell, published):
    with pytest.raises(UsageError):
        shell.run_cell(f"%%ask\n{UNKNOWN}")
    suggestions = [line.strip().removeprefix("%%ask ") for line in published[0]["text/plain"].splitlines()[1:]]
    answer = shell.run_cell(f"%%ask\n{suggestions[0]}").result
    assert answer.status == "ok" and answer.source == "knowledge_base"


def test_the_html_escapes_what_a_question_holds():
    html = NoModel(["What's <b>new</b>?"]).html()
    assert "<b>new" not in html and "What&#x27;s" in html


def test_help_model_lists_every_way_to_configure_a_model(shell):
    text = shell.run_cell("%vanna help model").result.text()
    for needle in ("%vanna setup", "%config VannaMagic.model", "VANNA_MAGIC_MODEL", "api_base", "pyproject.toml"):
        assert needle in text


def test_help_rejects_an_unknown_topic(shell):
    with pytest.raises(UsageError, match="invalid choice"):
        shell.run_cell("%vanna help modle")
