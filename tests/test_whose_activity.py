"""Whose activity: status and the sidebar tell this kernel's work from every kernel's, list this kernel's last
errors, and say how to leave LIMITED_AI."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from vanna_magic.core.errors import ExecutionError
from vanna_magic.core.ops.health import LAST_ERRORS
from vanna_magic.jupyter.comm import handle


def health(session) -> dict:
    reply = handle(session, {"id": 1, "op": "health", "args": {}})
    assert reply["ok"], reply
    return reply["result"]


def test_the_sidebar_lists_this_kernels_errors_newest_first(session_factory):
    session = session_factory()
    assert health(session)["errors"] == []
    for column in ("nope", "nada", "zilch"):
        with pytest.raises(ExecutionError):
            session.run_sql(f"SELECT {column} FROM orders")
    errors = health(session)["errors"]
    assert len(errors) == 3 and "zilch" in errors[0] and "nope" in errors[2]
    assert all(e.startswith("[execute]") for e in errors)
    assert not any(e in health(session_factory())["errors"] for e in errors), "another kernel has its own"


def test_only_the_newest_errors_are_kept(session_factory):
    session = session_factory()
    for i in range(LAST_ERRORS + 2):
        with pytest.raises(ExecutionError):
            session.run_sql(f"SELECT missing_{i} FROM orders")
    errors = health(session)["errors"]
    assert len(errors) == LAST_ERRORS and f"missing_{LAST_ERRORS + 1}" in errors[0]


def test_limited_ai_says_how_to_leave_it(session_factory):
    result = health(session_factory())
    assert result["mode"] == "LIMITED_AI" and "%vanna setup" in result["next_step"]


def test_status_labels_this_kernel_and_all_kernels_and_lists_this_kernels_errors(shell):
    with pytest.raises(UsageError):
        shell.run_cell("%%vsql\nSELECT nope FROM orders")
    text = shell.run_line_magic("vanna", "status").text()
    lines = text.splitlines()
    kernel = next(line for line in lines if line.startswith("this kernel:"))
    assert "1 requests (1 errors)" in kernel
    assert any(line.strip().startswith("error: [execute]") and "nope" in line for line in lines)
    everyone = next(line for line in lines if line.startswith("all kernels:"))
    assert "last 24 h" in everyone and "every kernel sharing the history" in everyone
    assert any(line.startswith("next step:") and "%vanna setup" in line for line in lines)
    html = shell.run_line_magic("vanna", "status")._repr_html_()
    assert "this kernel" in html and "all kernels" in html


def test_the_panel_labels_its_history_and_says_how_to_leave_limited_ai(session_factory):
    from vanna_magic.jupyter.panel import Panel

    session = session_factory()
    panel = Panel(lambda: session)
    assert "all kernels" in panel.history.options[0][0]
    assert "LIMITED_AI" in panel.badge.value and "%vanna setup" in panel.badge.value
