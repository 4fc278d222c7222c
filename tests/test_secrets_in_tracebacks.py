"""A provider that echoes the API key in its error body: the key appears nowhere in a traceback.

The provider is a real HTTP server on the loopback (OpenAI's API shape) answering every request
with an error whose body quotes the key it was sent, as some providers do.
"""

from __future__ import annotations

import json
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vanna_magic.core.errors import VannaError
from vanna_magic.core.redaction import redact_exception

KEY = "sk-test-echoed-0123456789abcdef"
QUESTION = "Which supplier ships the heaviest parcels on Tuesdays?"


def _chain(exc: BaseException) -> list[BaseException]:
    seen, out, pending = set(), [], [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        out.append(current)
        pending.extend((current.__cause__, current.__context__))
    return out


def assert_no_key(exc: BaseException, printed: str = "") -> None:
    text = "".join(traceback.format_exception(exc)) + printed
    assert "Incorrect API key provided" in text  # the provider's own words are shown...
    assert KEY not in text  # ...without the key
    for link in _chain(exc):
        assert KEY not in repr(link.args) and KEY not in str(link)
        assert KEY not in repr(getattr(link, "__dict__", {}))


@pytest.fixture
def echoing_provider():
    status = {"code": 401}

    class Echo(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the name http.server calls
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            body = json.dumps({"error": {"message": f"Incorrect API key provided: {key}", "type": "invalid_request",
                                         "code": "invalid_api_key", "param": key}}).encode()
            self.send_response(status["code"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1", status
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize("code", [400, 401, 500])
def test_an_error_leaving_the_python_api_has_no_key_in_its_chain(session_factory, echoing_provider, monkeypatch,
                                                                 code):
    url, status = echoing_provider
    status["code"] = code
    monkeypatch.setenv("VANNA_MAGIC_API_KEY", KEY)
    session = session_factory(model="openai/gpt-test", api_base=url, model_retries=0, model_timeout=10)
    with pytest.raises(VannaError) as info:
        session.ask(QUESTION)
    assert_no_key(info.value)


def test_a_key_given_in_code_is_redacted_too(session_factory, echoing_provider):
    from vanna_magic.core.generate.model import LiteLLMModel

    url, _ = echoing_provider
    session = session_factory(model=LiteLLMModel("openai/gpt-test", api_base=url, api_key=KEY, retries=0,
                                                  timeout=10))
    with pytest.raises(VannaError) as info:
        session.ask(QUESTION)
    assert_no_key(info.value)


def test_show_traceback_prints_no_key(shell, echoing_provider, monkeypatch, capsys, tmp_path):
    url, _ = echoing_provider
    monkeypatch.setenv("VANNA_MAGIC_API_KEY", KEY)
    store = str(tmp_path / "store.sqlite3")  # a store of its own: the model-call rate limit is counted per store
    for line in (f"store_path = {store!r}",
                 "show_traceback = True", "model = 'openai/gpt-test'", f"api_base = '{url}'", "model_retries = 0"):
        shell.run_cell(f"%config VannaMagic.{line}")
    with pytest.raises(VannaError) as info:
        shell.run_cell(f"%%ask\n{QUESTION}")
    captured = capsys.readouterr()
    assert_no_key(info.value, captured.out + captured.err)


def test_every_link_of_a_chain_is_redacted():
    class ProviderError(Exception):
        def __init__(self, message, body):
            super().__init__(message)
            self.message, self.body, self.raw = message, body, message.encode()

    class Several(Exception):  # shaped like an ExceptionGroup (Python 3.11+): members under .exceptions
        def __init__(self, message, exceptions):
            super().__init__(message)
            self.exceptions = exceptions

    root = ProviderError(f"bad key {KEY}", {"error": {"param": KEY}})
    group = Several("several", [ValueError(KEY)])
    group.__cause__ = root
    outer = RuntimeError("the model failed", group)
    outer.__context__ = group
    outer.__notes__ = [f"key was {KEY}"]
    redact_exception(outer, [KEY])
    text = "".join(traceback.format_exception(outer))
    assert KEY not in text and "bad key ***" in text
    assert KEY not in repr(root.body) and KEY not in root.message and KEY not in str(root.raw)
    assert group.exceptions[0].args == ("***",)
