"""Several knowledge bases: project, then user, then demo (demo database only); the higher one wins."""

from pathlib import Path

import pytest

from vanna_magic.core.config import load_settings
from vanna_magic.core.data.demo import demo_knowledge_base
from vanna_magic.core.knowledge.sources import knowledge_sources


def example(folder: Path, name: str, question: str, sql: str = "SELECT 1") -> None:
    (folder / "examples").mkdir(parents=True, exist_ok=True)
    (folder / "examples" / name).write_text(f"-- Question: {question}\n{sql};\n")


@pytest.mark.parametrize("project, user, demo_db, expected", [
    (False, False, True, ["demo"]),
    (True, False, True, ["project"]),
    (False, True, True, ["user", "demo"]),
    (True, True, True, ["project", "user"]),
    (True, True, False, ["project", "user"]),
    (False, False, False, []),
])
def test_the_order_of_precedence(tmp_path, monkeypatch, project, user, demo_db, expected):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no default user folder
    settings = load_settings(environ={}, start=None).replace(
        knowledge_base=str(tmp_path / "p") if project else None, user_knowledge_base=str(tmp_path / "u") if user
        else None)
    assert [s.kind for s in knowledge_sources(settings, is_demo=demo_db)] == expected


def test_the_default_user_folder_is_used_when_it_exists(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    settings = load_settings(environ={}, start=None)
    assert [s.kind for s in knowledge_sources(settings, is_demo=False)] == []
    (tmp_path / "vanna-magic" / "knowledge_base").mkdir(parents=True)
    found = knowledge_sources(settings, is_demo=False)
    assert [(s.kind, s.path) for s in found] == [("user", tmp_path / "vanna-magic" / "knowledge_base")]


def test_the_same_folder_twice_is_read_once(tmp_path):
    settings = load_settings(environ={}, start=None).replace(knowledge_base=str(demo_knowledge_base()),
                                                             user_knowledge_base=str(demo_knowledge_base()))
    found = knowledge_sources(settings, is_demo=True)
    assert [s.kind for s in found] == ["project"] and found[0].writable


def test_a_duplicate_question_the_higher_knowledge_base_wins_and_is_reported(session_factory, tmp_path):
    project, user = tmp_path / "project", tmp_path / "user"
    example(project, "a.sql", "How many regions are there?", "SELECT COUNT(*) AS from_project FROM regions")
    example(user, "b.sql", "how many regions are there", "SELECT COUNT(*) AS from_user FROM regions")
    example(user, "c.sql", "How many suppliers are there?", "SELECT COUNT(*) FROM suppliers")
    session = session_factory(knowledge_base=str(project), user_knowledge_base=str(user))
    kb = session.knowledge_base
    assert [e.question for e in kb.examples] == ["How many regions are there?", "How many suppliers are there?"]
    assert [str(p) for p in kb.problems] == [
        f"{user / 'examples' / 'b.sql'}:1: the question 'how many regions are there' is overridden by "
        f"{project / 'examples' / 'a.sql'}, from a knowledge base of higher precedence\n"
        "Remove one of the two examples if they should not differ."]
    assert "from_project" in session.ask("How many regions are there?").frame.columns
