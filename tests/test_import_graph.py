"""The package's import graph: no circles, and the engine (``core``) imports no front end and no notebook library.

Counted as ``house-check`` counts them: every import, inside functions and under ``TYPE_CHECKING`` too.
"""

from __future__ import annotations

from tests.imports import PACKAGE, import_graph, imports, modules

# What core never imports: the front ends (``vanna_magic`` itself re-exports Session and loads the
# extension; ``jupyter``, ``cli``, ``cli_import``) and the notebook's own libraries.
NOT_FROM_CORE = ("IPython", "ipywidgets")


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for child in sorted(graph[node]):
            if child not in index:
                visit(child)
                low[node] = min(low[node], low[child])
            elif child in on_stack:
                low[node] = min(low[node], index[child])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_circles_are_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(graph) == [["a", "b", "c"]]


def test_no_module_takes_part_in_an_import_circle():
    found = circles(import_graph())
    assert not found, "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def _forbidden_in_core(target: str) -> bool:
    ours = target == "vanna_magic" or target.startswith("vanna_magic.")
    if ours:
        return not (target == "vanna_magic.core" or target.startswith("vanna_magic.core."))
    return target.split(".")[0] in NOT_FROM_CORE


def test_core_imports_no_front_end_and_no_notebook_library():
    known = modules()
    core = {name: path for name, path in known.items() if name == "vanna_magic.core" or
            name.startswith("vanna_magic.core.")}
    assert len(core) > 50 and all(path.is_relative_to(PACKAGE / "core") for path in core.values())
    wrong = sorted({str(i) for name, path in core.items() for i in imports(name, path, known)
                    if _forbidden_in_core(i.target)})
    assert not wrong, "core reaches outside itself:\n" + "\n".join(wrong)


def test_the_core_rule_sees_relative_and_absolute_imports():
    assert _forbidden_in_core("vanna_magic") and _forbidden_in_core("vanna_magic.jupyter.magics")
    assert _forbidden_in_core("IPython.display") and _forbidden_in_core("ipywidgets")
    assert not _forbidden_in_core("vanna_magic.core.session") and not _forbidden_in_core("sqlglot")
