"""Progress events of a run (the seam the magic's display and the panel share) and the display itself."""

from __future__ import annotations

import time

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.errors import QueryCancelledError
from vanna_magic.core.ops import run
from vanna_magic.core.ops.run import END, START, TEXT, ProgressEvent, Run
from vanna_magic.jupyter.progress import EMPTY, ProgressDisplay

SQL = "SELECT name FROM customers ORDER BY customer_id LIMIT 5"


def _stages(events):
    return [(e.stage, e.status) for e in events if e.status != TEXT]


def test_ask_reports_every_stage_in_order(session_factory):
    events: list[ProgressEvent] = []
    session_factory(model=FakeModel([f"```sql\n{SQL}\n```"])).ask("Which customers came first?",
                                                                  progress=events.append)
    stages = ["retrieve", "prompt", "generate", "firewall", "execute"]
    assert _stages(events) == [(s, status) for s in stages for status in (START, END)]
    times = [e.elapsed for e in events]
    assert times == sorted(times)


def test_a_repair_goes_through_the_stages_again(session_factory):
    events: list[ProgressEvent] = []
    model = FakeModel(["```sql\nDELETE FROM customers\n```", f"```sql\n{SQL}\n```"])
    session_factory(model=model).ask("Which 5 customers came first?", progress=events.append)
    names = [stage for stage, status in _stages(events) if status == START]
    assert names == ["retrieve", "prompt", "generate", "firewall", "prompt", "generate", "firewall", "execute"]


def test_run_sql_reports_its_stages(session_factory):
    events: list[ProgressEvent] = []
    session_factory().run_sql("SELECT 1 AS one", progress=events.append)
    assert _stages(events) == [("firewall", START), ("firewall", END), ("execute", START), ("execute", END)]


def test_a_streaming_model_reports_its_text(session_factory, monkeypatch):
    import litellm

    from vanna_magic.core.generate.model import LiteLLMModel

    answer_text = f"```sql\n{SQL}\n```"
    real = litellm.completion
    monkeypatch.setattr(litellm, "completion", lambda **kw: real(**kw, mock_response=answer_text))
    events: list[ProgressEvent] = []
    model = LiteLLMModel("openai/gpt-4o-mini", api_key="sk-test", retries=0)
    answer = session_factory(model=model).ask("Which 5 customers came first?", progress=events.append)
    pieces = [e.text for e in events if e.status == TEXT]
    assert len(pieces) > 1 and "".join(pieces) == answer_text
    assert all(e.stage == "generate" for e in events if e.status == TEXT)
    assert answer.sql == SQL and answer.completion_tokens > 0


def test_without_a_listener_the_model_does_not_stream(monkeypatch):
    import litellm

    from vanna_magic.core.generate.model import LiteLLMModel

    seen = []
    real = litellm.completion

    def spy(**kw):
        seen.append(kw.get("stream", False))
        return real(**kw, mock_response="```sql\nSELECT 1\n```")

    monkeypatch.setattr(litellm, "completion", spy)
    LiteLLMModel("openai/gpt-4o-mini", api_key="sk-test", retries=0).complete([{"role": "user", "content": "q"}])
    assert seen == [False]


def test_a_cancelled_run_starts_no_further_stage():
    flight = Run()
    flight.cancelled.set()
    with run.running(flight), pytest.raises(QueryCancelledError, match="cancelled before the execute stage"):
        with run.stage("execute"):
            raise AssertionError("the stage must not start")
    with run.running(flight), pytest.raises(QueryCancelledError, match="while the model was answering"):
        run.model_text("SELECT")


class FakeHandle:
    def __init__(self, shown):
        self.shown = shown

    def update(self, data, **kwargs):
        self.shown.append(data)


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_display_shows_the_running_stage_and_clears_itself():
    shown: list[dict] = []
    clock = FakeClock()

    def show(data, **kwargs):
        assert kwargs == {"display_id": True}
        shown.append(data)
        return FakeHandle(shown)

    display = ProgressDisplay(show=show, tick=None, clock=clock)
    assert shown == [EMPTY]  # opened empty: a re-run notebook (nbval) compares equal
    display(ProgressEvent("retrieve", START, 0.0))
    clock.now = 0.004
    display(ProgressEvent("retrieve", END, 0.004))
    display(ProgressEvent("generate", START, 0.004))
    clock.now = 1.504
    display(ProgressEvent("generate", TEXT, 1.5, "SELECT <b>"))
    assert shown[-1]["text/plain"] == "retrieve 4 ms · generate running for 1.5 s\nSELECT <b>"
    assert "SELECT &lt;b&gt;" in shown[-1]["text/html"]  # model text is escaped
    display.close()
    assert shown[-1] == EMPTY


def test_progress_display_ticks_while_a_stage_runs():
    shown: list[dict] = []
    display = ProgressDisplay(show=lambda data, **kw: (shown.append(data), FakeHandle(shown))[1], tick=0.01)
    display(ProgressEvent("execute", START, 0.0))
    for _ in range(3000):  # the ticker refreshes the time on its own; bounded so a broken ticker fails
        if len(shown) >= 5:
            break
        time.sleep(0.01)
    display.close()
    assert shown[-1] == EMPTY and any("execute running for" in d["text/plain"] for d in shown[:-1])


def test_the_magic_shows_progress_only_in_a_kernel_and_when_enabled(monkeypatch):
    from types import SimpleNamespace

    from vanna_magic.jupyter import progress as progress_module
    from vanna_magic.jupyter.cells import progress_display

    shown: list[dict] = []
    monkeypatch.setattr(progress_module, "_display", lambda data, **kw: (shown.append(data), FakeHandle(shown))[1])
    kernel_shell = SimpleNamespace(kernel=object())
    with progress_display(SimpleNamespace(), True) as display:
        assert display is None  # a terminal shell: no updating outputs
    with progress_display(kernel_shell, False) as display:
        assert display is None  # show_progress = False
    with progress_display(kernel_shell, True) as display:
        assert isinstance(display, ProgressDisplay)
        display(ProgressEvent("execute", START, 0.0))
    assert shown[0] == EMPTY and shown[-1] == EMPTY and len(shown) >= 3


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_bad_show_progress_setting(session_factory, value):
    from vanna_magic.core.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="setting 'show_progress' from override is .*: expected true or false"):
        session_factory(show_progress=value)
