"""``%vanna kb add|list|remove|rebuild``: checked before written, written atomically, never into the demo."""

from pathlib import Path

import pytest
from IPython.core.error import UsageError

ADD = '%vanna kb add --question "How many regions are there?" --sql "SELECT COUNT(*) AS regions FROM regions"'


@pytest.fixture
def project(shell, tmp_path):
    folder = tmp_path / "kb"
    shell.run_cell(f"%config VannaMagic.knowledge_base = {str(folder)!r}")
    return folder


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "examples").glob("*")) if (folder / "examples").exists() else []


def test_add_writes_a_checked_example_that_loads(shell, project, capsys):
    from vanna_magic.core.knowledge.files import load_knowledge_base

    shell.run_cell(ADD)
    assert files(project) == ["how_many_regions_are_there.sql"]
    assert (project / "examples" / "how_many_regions_are_there.sql").read_text() == (
        "-- Question: How many regions are there?\nSELECT COUNT(*) AS regions FROM regions;\n")
    assert "to the project knowledge base (the SQL passed the firewall and returned 1 rows)" in capsys.readouterr().out
    kb = load_knowledge_base([project])
    assert kb.problems == [] and [e.question for e in kb.examples] == ["How many regions are there?"]


def test_add_reports_near_duplicates_and_never_overwrites(shell, project, capsys):
    shell.run_cell(ADD)
    shell.run_cell('%vanna kb add --question "How many regions are there in total?" '
                   '--sql "SELECT COUNT(*) FROM regions" --description "All regions."')
    out = capsys.readouterr().out
    assert "near-duplicate (0.80): 'How many regions are there?'" in out
    assert files(project) == ["how_many_regions_are_there.sql", "how_many_regions_are_there_in_total.sql"]
    assert "-- Description: All regions.\n" in (project / "examples" / files(project)[1]).read_text()


@pytest.mark.parametrize("line, message", [
    ('%vanna kb add --question "Delete them" --sql "DELETE FROM orders"', r"\[firewall: "),
    ('%vanna kb add --question "Broken" --sql "SELECT nope FROM orders"', r"\[execute\] .*nope"),
    ('%vanna kb add --question "Two" --sql "SELECT 1; SELECT 2"', r"\[firewall: "),
    ('%vanna kb add --question " " --sql "SELECT 1"', r"\[knowledge\] the example has no question"),
    ('%vanna kb add --question "Empty" --sql ";"', r"\[knowledge\] the example has no SQL"),
    ("%vanna kb add", r"\[knowledge\] there is no answer to add\nAsk a question first"),
    ("%vanna kb list extra", r"\[knowledge\] kb list takes no 'extra'"),
    ("%vanna kb remove", r"\[knowledge\] kb remove needs the example to delete"),
    ("%vanna kb remove nowhere.sql", r"\[knowledge\] no knowledge-base example matches 'nowhere.sql'"),
    ("%vanna kb shuffle", r"invalid choice: 'shuffle'"),
])
def test_bad_kb_commands_write_nothing(shell, project, line, message):
    with pytest.raises(UsageError, match=message):
        shell.run_cell(line)
    assert files(project) == []


def test_an_exact_duplicate_is_refused(shell, project):
    shell.run_cell(ADD)
    with pytest.raises(UsageError, match=r"the question 'how many regions are there' is already answered by .*"
                                         r"how_many_regions_are_there.sql\nRemove it first"):
        shell.run_cell('%vanna kb add --question "how many regions are there" --sql "SELECT 1"')


def test_without_a_project_knowledge_base_nothing_is_written_into_the_demo(shell):
    from vanna_magic.core.data.demo import demo_knowledge_base

    before = sorted(p.name for p in (demo_knowledge_base() / "examples").iterdir())
    with pytest.raises(UsageError, match=r"\[config\] no project knowledge base is configured to add the example "
                                         r"to\nSet %config VannaMagic.knowledge_base = 'kb/'"):
        shell.run_cell(ADD)
    with pytest.raises(UsageError, match=r"orders_by_status.sql is in the read-only demo knowledge base"):
        shell.run_cell("%vanna kb remove orders_by_status.sql")
    assert sorted(p.name for p in (demo_knowledge_base() / "examples").iterdir()) == before


def test_add_from_the_last_answer(shell, tmp_path):
    shell.run_cell("%%ask\nHow many orders are in each status?")  # answered from the demo knowledge base
    folder = tmp_path / "team-kb"
    shell.run_cell(f"%config VannaMagic.knowledge_base = {str(folder)!r}")
    shell.run_cell("%vanna kb add")
    text = (folder / "examples" / "how_many_orders_are_in_each_status.sql").read_text()
    assert text.startswith("-- Question: How many orders are in each status?\nSELECT status,")


def test_add_to_the_user_knowledge_base(shell, tmp_path):
    user = tmp_path / "mine"
    shell.run_cell(f"%config VannaMagic.user_knowledge_base = {str(user)!r}")
    shell.run_cell(ADD + " --user")
    assert files(user) == ["how_many_regions_are_there.sql"]


def test_list_remove_and_rebuild(shell, project, capsys):
    shell.run_cell(ADD)
    frame = shell.run_cell("%vanna kb list").result
    assert frame.to_dict("records") == [{"question": "How many regions are there?", "knowledge base": "project",
                                         "file": "examples/how_many_regions_are_there.sql"}]
    shell.run_cell("%vanna kb rebuild")
    assert "1 questions, 0 descriptions, 0 definitions, 0 documents" in capsys.readouterr().out
    shell.run_cell('%vanna kb remove "How many regions are there?"')
    assert "removed " in capsys.readouterr().out and files(project) == []
    assert shell.run_cell("%vanna kb list").result.empty
