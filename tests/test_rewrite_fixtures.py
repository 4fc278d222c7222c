"""Every rewrite rule against its fixture file, ``tests/fixtures/rewrite/<rule>.sql``.

A case names its schema (``#| schema:``, a case of ``schemas.sql`` whose body is CREATE TABLE statements), may
name the dialects it runs on (``#| dialect:``, default sqlite), the rules (``#| rules:``, as the
``rewrite_rules`` setting spells them; default the file's rule alone) and the question the SQL answers
(``#| question:``). It expects either ``unchanged`` (the SQL comes back as it was, with no note) or the
rewritten SQL, compared as a syntax tree in the case's dialect, and then the file's rule must have fired;
``#| note:`` lines, when given, are the notes, in order.
"""

import pytest

from tests.helpers import FIXTURES, Case, load_cases, same_sql
from vanna_magic.core.data.schema import tables_from_ddl
from vanna_magic.core.guard.parsing import sqlglot_dialect
from vanna_magic.core.rewrite import RULES, rewrite, select_rules

FOLDER = FIXTURES / "rewrite"
SCHEMAS = {case.title: tables_from_ddl(case.input, "postgres") for case in load_cases(FOLDER / "schemas.sql")}
FILES = sorted(path for path in FOLDER.glob("*.sql") if path.name != "schemas.sql")
OPTIONS = {"dialect", "schema", "rules", "question", "note"}


def _params() -> list:
    return [pytest.param(case, dialect, id=f"{path.name}:{case.line} {case.title} [{dialect}]")
            for path in FILES for case in load_cases(path) for dialect in case.option_list("dialect", "sqlite")]


@pytest.mark.parametrize(("case", "dialect"), _params())
def test_rewrite_case(case: Case, dialect: str):
    rule = case.path.stem
    assert set(case.options) <= OPTIONS, f"{case.where}: unknown options {sorted(set(case.options) - OPTIONS)}"
    assert case.options.get("schema") in SCHEMAS, f"{case.where}: no schema {case.options.get('schema')!r}"
    assert case.expected, f"{case.where}: no '#| expect:'"
    fired: list[str] = []
    sql, notes = rewrite(case.input, dialect, SCHEMAS[case.options["schema"]],
                         rules=select_rules(case.options.get("rules", rule)),
                         question=case.options.get("question", ""), fired=fired)
    if case.expected == "unchanged":
        assert (sql, notes) == (case.input, []), f"{case.where}: {sql} {notes}"
        assert "note" not in case.options, f"{case.where}: notes for a case that expects none"
        return
    assert sql != case.input and rule in fired, f"{case.where}: {rule} did not rewrite it ({fired})"
    assert same_sql(sql, case.expected, sqlglot_dialect(dialect)), f"{case.where}: {sql}"
    if "note" in case.options:
        assert notes == case.option_lines("note"), f"{case.where}: {notes}"


def test_every_rule_has_a_fixture_file_with_cases_it_changes_and_leaves():
    assert sorted(path.stem for path in FILES) == sorted(rule.__name__ for rule in RULES)
    for path in FILES:
        cases = load_cases(path)
        header = path.read_text(encoding="utf-8").split("#| title:")[0]
        assert header.startswith(f"# {path.stem}:"), f"{path.name} has no paragraph saying what the rule does"
        assert any(case.expected == "unchanged" for case in cases), f"{path.name} has no case the rule leaves alone"
        assert any(case.expected not in ("unchanged", None) for case in cases), f"{path.name} changes nothing"


def test_every_schema_is_used_and_reads_as_tables():
    used = {case.options.get("schema") for path in FILES for case in load_cases(path)}
    assert used == set(SCHEMAS)
    assert all(SCHEMAS.values())
