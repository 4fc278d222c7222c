"""Real faults, bounded in time: a database behind a loopback proxy that goes away, a model server on
loopback that errors and hangs, a store on a full disk. The kernel never dies and no traceback reaches the user."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from IPython.core.error import UsageError

from vanna_magic import Session
from vanna_magic.core.config import load_settings
from vanna_magic.core.errors import CircuitOpenError, DatabaseConnectionError, GenerationError, QueryTimeoutError
from vanna_magic.core.ops.health import FakeClock

ROOT = Path(__file__).resolve().parents[1]
KNOWN_QUESTION = "How many active customers does each region have?"


class Proxy:
    """A TCP proxy on loopback in front of ``target``; ``down()`` drops every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the other thread (Linux)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def proxy(postgres_shop):
    from sqlalchemy.engine import make_url

    url = make_url(postgres_shop)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.up()
    proxy.url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    yield proxy
    proxy.down()


def _session(tmp_path, cache_dir, clock, **overrides):
    settings = load_settings(environ={}, start=None).replace(cache_dir=str(cache_dir),
                                                             store_path=str(tmp_path / "store.sqlite3"))
    return Session(settings=settings, clock=clock, **overrides)


@pytest.mark.postgres
def test_the_database_goes_away_and_comes_back(proxy, tmp_path, cache_dir):
    clock = FakeClock(1_700_000_000.0)
    session = _session(tmp_path, cache_dir, clock, connection=proxy.url)
    try:
        assert session.run_sql("SELECT COUNT(*) AS n FROM customers").status == "ok"
        proxy.down()
        for _ in range(3):
            with pytest.raises(DatabaseConnectionError) as info:
                session.run_sql("SELECT COUNT(*) AS n FROM customers")
            assert "Check that the database server is up" in str(info.value) or "Check the host" in str(info.value)
        with pytest.raises(CircuitOpenError):
            session.run_sql("SELECT COUNT(*) AS n FROM customers")
        status = session.status()
        assert status.mode == "EMERGENCY" and "since 2023-11-14 22:13:20 UTC" in status.database_error
        proxy.up()
        clock.advance(30)  # the cool-down passes: the next call is a trial
        assert session.run_sql("SELECT COUNT(*) AS n FROM customers").status == "ok"
        assert session.health.breakers["database"].state == "CLOSED"
        assert session.status().mode != "EMERGENCY"
        rows, _ = session.store.history(status="error", per_page=10)
        assert len(rows) == 4 and {r["stage"] for r in rows} == {"connect", "execute"}
    finally:
        session.close()


@pytest.mark.postgres
def test_the_database_going_away_reaches_the_notebook_as_short_errors(proxy, shell, tmp_path):
    shell.run_cell(f"%config VannaMagic.store_path = {str(tmp_path / 'store.sqlite3')!r}")
    shell.run_cell(f"%vanna connect {proxy.url}")
    assert shell.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM customers").result.status == "ok"
    proxy.down()
    messages = []
    for _ in range(4):
        with pytest.raises(UsageError) as info:
            shell.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM customers")
        messages.append(str(info.value))
    assert all("Traceback" not in m for m in messages)
    assert messages[0].startswith("[connect] cannot connect to") or messages[0].startswith("[execute] the connection")
    assert messages[3].startswith("[execute] the database is unavailable: it failed 3 times in a row")
    assert "will be retried at" in messages[3]
    assert shell.run_cell("%vanna status").result.status.mode == "EMERGENCY"
    proxy.up()
    shell.run_cell("%vanna breaker reset database")
    assert shell.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM customers").result.status == "ok"


class ModelServer:
    """An OpenAI-compatible chat completions server on loopback: ``mode`` is ok, error or hang."""

    def __init__(self, answer: str):
        self.mode = "ok"
        self.closed = False
        self.requests = 0
        self.answer = answer
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("content-length") or 0))
                server.requests += 1
                if server.mode == "hang":
                    time.sleep(3)
                    return
                if server.mode == "error":
                    body, code = {"error": {"message": "overloaded", "type": "server_error"}}, 500
                else:
                    body, code = {"id": "x", "object": "chat.completion", "created": 0, "model": "test-model",
                                  "choices": [{"index": 0, "finish_reason": "stop",
                                               "message": {"role": "assistant", "content": server.answer}}],
                                  "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}, 200
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        if not self.closed:
            self.closed = True
            self.httpd.shutdown()
            self.httpd.server_close()


@pytest.fixture
def model_server():
    server = ModelServer("SELECT COUNT(*) AS n FROM orders")
    yield server
    server.close()


def test_the_model_errors_hangs_and_recovers(model_server, tmp_path, cache_dir):
    from vanna_magic.core.generate.model import LiteLLMModel

    clock = FakeClock(1_700_000_000.0)
    model = LiteLLMModel("openai/test-model", api_base=model_server.url, api_key="local", timeout=2, retries=1,
                         backoff=0.1, sleep=lambda seconds: None)  # a retry fits in the 2 s budget
    session = _session(tmp_path, cache_dir, clock, model=model)
    try:
        assert session.ask("How many orders are there?").status == "ok"
        model_server.mode = "error"
        with pytest.raises(GenerationError) as info:
            session.ask("How many orders are there?")
        assert "is unavailable (after 2 attempts)" in info.value.message and model_server.requests == 3
        model_server.mode = "hang"
        for _ in range(2):
            with pytest.raises(QueryTimeoutError) as info:
                session.ask("How many orders are there?")
            # model_timeout is the whole wait: the hanging first attempt used all of it, so no retry came
            assert info.value.message == "the model did not answer within 2 s"
        assert session.health.breakers["model"].state == "OPEN"
        requests = model_server.requests
        status = session.status()
        assert status.mode == "LIMITED_AI" and status.health_score == 70
        answer = session.ask(KNOWN_QUESTION)  # answered from the knowledge base, without a call
        assert answer.source == "knowledge_base" and answer.notes[-1].startswith("the model is unavailable")
        with pytest.raises(CircuitOpenError):
            session.ask("How many orders are there?")
        assert model_server.requests == requests
        model_server.mode = "ok"
        clock.advance(60)
        assert session.ask("How many orders are there?").status == "ok"
        assert session.status().mode == "FULL_OPERATIONAL"
    finally:
        session.close()


FULL_DISK_CHILD = """
import json, os, resource, signal, sys
from vanna_magic import Session
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead of killing us
store = sys.argv[2]
session = Session(connection="sqlite://", cache_dir=sys.argv[1], store_path=store)
first = session.run_sql("SELECT 0 AS n")
size = max(os.path.getsize(p) for p in (store, store + "-wal") if os.path.exists(p))
resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))  # the disk is full from now on
answers = [session.run_sql(f"SELECT {i} AS n") for i in range(1, 40)]
print(json.dumps({"first": first.history_id, "statuses": sorted({a.status for a in answers}),
                  "values": [int(a.df.iloc[0, 0]) for a in answers], "notes": [n for a in answers for n in a.notes]}))
"""


def test_a_full_disk_never_stops_a_query_nor_damages_the_history(tmp_path):
    import sqlite3

    store = tmp_path / "store.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    out = subprocess.run([sys.executable, "-c", FULL_DISK_CHILD, str(tmp_path / "cache"), str(store)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["first"] == 1 and result["statuses"] == ["ok"] and result["values"] == list(range(1, 40))
    assert len(result["notes"]) == 1  # said once, not on every answer
    assert result["notes"][0].startswith(f"history is not being kept: cannot write {store} (")
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT sql FROM queries WHERE id = 1").fetchone()[0] == "SELECT 0 AS n"
    conn.close()


def test_status_probes_the_model_server_without_spending_tokens(model_server, tmp_path, cache_dir):
    clock = FakeClock(1_700_000_000.0)
    session = _session(tmp_path, cache_dir, clock, model="openai/test-model", api_base=model_server.url)
    try:
        status = session.status()
        assert status.mode == "FULL_OPERATIONAL" and status.health_score == 100
        assert model_server.requests == 0, "the probe is a GET, never a completion"
        model_server.close()
        status = session.status()
        assert status.mode == "LIMITED_AI" and status.health_score == 70
        assert status.mode_reason.startswith(f"the model is unavailable: the model server at {model_server.url} "
                                                "does not answer (")
    finally:
        session.close()
