"""The front ends reach the engine through ``Session`` only.

The magics, the panel, the setup form and the sidebar's comm (``vanna_magic/jupyter/**``) and the
command line (``cli.py``, ``cli_import.py``, ``cli_eval.py``) may import from ``vanna_magic.core`` only what is
listed here: ``Session``, the types it returns, and helpers that only present them. Every import
counts, inside functions and under ``TYPE_CHECKING`` too (``tests/imports.py``).
"""

from __future__ import annotations

from tests.imports import PACKAGE, imports, modules

ALLOWED = {  # module (with its submodules) -> why a front end may import it
    "vanna_magic.core.session":
        "Session, the one door to the engine",
    "vanna_magic.core.answer":
        "Answer, the one result type every front end shows (PAGE_ROWS: the rows a page of it holds)",
    "vanna_magic.core.status":
        "Status and its parts, what Session.status() returns; BREAKERS and clock_text to show them",
    "vanna_magic.core.results":
        "the other values Session returns (ConnectionInfo, PolicyCheck, HistoryPage...) and SEARCH_KINDS, the "
        "choices of %vanna search --kind",
    "vanna_magic.core.errors":
        "the error tree: front ends catch VannaError and word it; the sidebar's protocol raises ProtocolError",
    "vanna_magic.core.config":
        "the settings and their sources (the magic's %config traits, %vanna help, the setup form finding "
        "pyproject.toml) and redact(), which hides secrets in whatever a front end shows",
    "vanna_magic.core.redaction":
        "redact_exception(): a traceback a front end lets through (show_traceback, an error not ours) carries no "
        "secret anywhere in its chain",
    "vanna_magic.core.ops.run":
        "the progress events Session.ask reports while a question runs, shown by the progress line and the panel",
    "vanna_magic.core.display":
        "presentation with no engine behind it: a page of an answer's rows (%vanna page), the kinds of a "
        "result's columns (charts)",
    "vanna_magic.core.evaluate.report":
        "Evaluation, what Session.evaluate returns (read back for --compare, written as JSON and JUnit XML), and "
        "the progress it reports after each example",
    "vanna_magic.core.extras":
        "require(): the extra to install when an optional library a chart needs is missing",
    "vanna_magic.core.project_files":
        "the setup form saves settings to the project's pyproject.toml and secrets to its .env: files of the "
        "project, which no Session owns",
}


def front_ends() -> dict[str, object]:
    known = modules()
    return {name: path for name, path in known.items()
            if name.startswith("vanna_magic.jupyter") or name in ("vanna_magic.cli", "vanna_magic.cli_import",
                                                                  "vanna_magic.cli_eval")}


def allowed(target: str) -> bool:
    return any(target == entry or target.startswith(entry + ".") for entry in ALLOWED)


def engine_imports() -> list:
    known = modules()
    return [i for name, path in front_ends().items() for i in imports(name, path, known)
            if i.target == "vanna_magic.core" or i.target.startswith("vanna_magic.core.")]


def test_the_front_ends_are_found():
    names = set(front_ends())
    assert {"vanna_magic.jupyter.magics", "vanna_magic.jupyter.comm", "vanna_magic.jupyter.panel",
            "vanna_magic.jupyter.setup_form", "vanna_magic.jupyter.commands.connection", "vanna_magic.cli",
            "vanna_magic.cli_import", "vanna_magic.cli_eval"} <= names
    assert all(path.is_relative_to(PACKAGE) for path in front_ends().values())


def test_front_ends_import_from_the_engine_only_session_its_types_and_presentation():
    wrong = sorted({str(i) for i in engine_imports() if not allowed(i.target)})
    assert not wrong, ("a front end reaches past Session (add a Session method, or a type to the allow-list "
                       "with its reason):\n" + "\n".join(wrong))


def test_every_entry_of_the_allow_list_is_a_module_in_use():
    known = modules()
    used = {i.target for i in engine_imports()}
    for entry in ALLOWED:
        assert entry in known, f"{entry} is not a module"
        assert any(t == entry or t.startswith(entry + ".") for t in used), f"no front end imports {entry}: remove it"


def test_the_rule_sees_through_relative_imports():
    assert allowed("vanna_magic.core.display.paging") and allowed("vanna_magic.core.session")
    assert not allowed("vanna_magic.core.sessionx") and not allowed("vanna_magic.core.generate.model")
    assert not allowed("vanna_magic.core")
