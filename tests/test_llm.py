"""The model client: retries, error conversion, accounting, record/replay, make_model."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from tests.fakes import FakeModel
from vanna_magic.core import errors
from vanna_magic.core.config import load_settings
from vanna_magic.core.generate import model as llm
from vanna_magic.core.generate.model import LiteLLMModel
from vanna_magic.core.generate.replay import ReplayModel, make_model, replay_key

KEY = "sk-test-SECRET123456789"
MESSAGES = [{"role": "system", "content": "Write SQL."},
            {"role": "user", "content": "### Schema\nCREATE TABLE t (x INT);\n\n### Question\nHow many rows?"}]


@pytest.fixture(scope="module")
def litellm():
    return llm._litellm()


def response(litellm, text="SELECT 1", prompt_tokens=11, completion_tokens=3, model="gpt-4o-mini", usage=True):
    fields = {"usage": litellm.Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                                     total_tokens=prompt_tokens + completion_tokens)} if usage else {}
    return litellm.ModelResponse(model=model, choices=[litellm.Choices(
        index=0, finish_reason="stop", message=litellm.Message(role="assistant", content=text))], **fields)


def failure(litellm, kind, message="provider says no", headers=None):
    """One of litellm's own exceptions, built as litellm builds it."""
    import httpx

    cls = getattr(litellm, kind)
    if kind == "APIConnectionError":
        return cls(message, llm_provider="openai", model="gpt-4o-mini")
    if kind == "Timeout":
        return cls(message, model="gpt-4o-mini", llm_provider="openai")
    if kind in ("RateLimitError", "AuthenticationError", "BadRequestError", "NotFoundError"):
        reply = httpx.Response(429 if kind == "RateLimitError" else 400, headers=headers or {},
                               request=httpx.Request("POST", "https://api.example"))
        return cls(message, llm_provider="openai", model="gpt-4o-mini", response=reply)
    return cls(message, llm_provider="openai", model="gpt-4o-mini")


class Script:
    """Stands in for ``litellm.completion``: raises or returns its items in order, keeps the kwargs."""

    def __init__(self, items):
        self.items = list(items)
        self.calls = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        item = self.items[len(self.calls) - 1]
        if isinstance(item, BaseException):
            raise item
        return item


@pytest.fixture
def script(monkeypatch, litellm):
    def install(*items):
        fake = Script(items)
        monkeypatch.setattr(litellm, "completion", fake)
        return fake
    return install


def model(retries=3, **kwargs):
    sleeps = []
    m = LiteLLMModel("openai/gpt-4o-mini", api_key=KEY, retries=retries, sleep=sleeps.append, **kwargs)
    return m, sleeps


def test_transient_errors_are_retried_with_growing_backoff(litellm, script):
    fake = script(failure(litellm, "RateLimitError"), failure(litellm, "APIConnectionError"),
                  failure(litellm, "ServiceUnavailableError"), response(litellm, "SELECT 42", 17, 5))
    m, sleeps = model(retries=3, api_base="http://localhost:9", timeout=12.5, temperature=0.2)

    completion = m.complete(MESSAGES)

    assert completion.text == "SELECT 42"
    assert (completion.prompt_tokens, completion.completion_tokens) == (17, 5)
    assert completion.model == "openai/gpt-4o-mini" and not completion.replayed
    assert completion.cost is not None and completion.cost > 0  # gpt-4o-mini is in the bundled price table
    assert len(fake.calls) == 4
    assert len(sleeps) == 3 and sleeps[0] < sleeps[1] < sleeps[2]
    sent = fake.calls[0]
    assert sent["model"] == "openai/gpt-4o-mini" and sent["messages"] == MESSAGES
    assert (sent["api_base"], sent["api_key"], sent["temperature"]) == ("http://localhost:9", KEY, 0.2)
    assert 12 < sent["timeout"] <= 12.5  # each attempt gets what is left of the one budget


@pytest.mark.parametrize("kind", ["RateLimitError", "APIConnectionError", "ServiceUnavailableError",
                                  "InternalServerError", "Timeout"])
def test_each_transient_error_type_is_retried(litellm, script, kind):
    fake = script(failure(litellm, kind), response(litellm))
    m, sleeps = model(retries=1)
    assert m.complete(MESSAGES).text == "SELECT 1"
    assert len(fake.calls) == 2 and len(sleeps) == 1


@pytest.mark.parametrize("kind", ["AuthenticationError", "BadRequestError", "NotFoundError"])
def test_permanent_errors_are_not_retried(litellm, script, kind):
    fake = script(failure(litellm, kind), response(litellm))
    m, sleeps = model(retries=3)
    with pytest.raises(errors.GenerationError) as info:
        m.complete(MESSAGES)
    assert len(fake.calls) == 1 and sleeps == []
    assert isinstance(info.value.__cause__, getattr(litellm, kind))


def test_rejected_key_names_the_variable_to_set(litellm, script):
    script(failure(litellm, "AuthenticationError", f"Incorrect API key provided: {KEY}"))
    m, _ = model()
    with pytest.raises(errors.GenerationError) as info:
        m.complete(MESSAGES)
    assert "API key was rejected" in info.value.message
    assert "OPENAI_API_KEY" in info.value.hint


def test_timeout_after_retries_becomes_a_query_timeout(litellm, script):
    fake = script(*[failure(litellm, "Timeout", "Request timed out")] * 3)
    m, sleeps = model(retries=2, timeout=60)
    with pytest.raises(errors.QueryTimeoutError) as info:
        m.complete(MESSAGES)
    assert "did not answer within 60 s" in info.value.message
    assert info.value.stage == "generate" and info.value.seconds == 60
    assert len(fake.calls) == 3 and len(sleeps) == 2
    assert isinstance(info.value.__cause__, litellm.Timeout)


def test_rate_limit_after_retries_honours_retry_after(litellm, script):
    fake = script(*[failure(litellm, "RateLimitError", headers={"retry-after": "7"})] * 2)
    m, sleeps = model(retries=1)
    with pytest.raises(errors.RateLimitError) as info:
        m.complete(MESSAGES)
    assert info.value.retry_after == 7.0 and "7 s" in info.value.hint
    assert sleeps == [7.0] and len(fake.calls) == 2


@pytest.mark.parametrize("kind", ["AuthenticationError", "BadRequestError", "APIConnectionError",
                                  "InternalServerError", "RateLimitError", "Timeout"])
def test_the_api_key_never_appears_in_errors(litellm, script, kind, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # only our own scrubbing can hide it
    script(*[failure(litellm, kind, f"bad request with key {KEY}")] * 2)
    m, _ = model(retries=1)
    with pytest.raises(errors.VannaError) as info:
        m.complete(MESSAGES)
    shown = f"{info.value} {info.value.hint} {info.value.fields} {info.value!r}"
    assert "SECRET123456789" not in shown


def test_other_errors_pass_the_provider_message_through_redact(litellm, script):
    script(failure(litellm, "BadRequestError", "model 'gpt-9' does not exist at postgresql://ann:pw123@db/x"))
    m, _ = model()
    with pytest.raises(errors.GenerationError) as info:
        m.complete(MESSAGES)
    assert "gpt-9" in info.value.message and "pw123" not in info.value.message


@pytest.mark.parametrize("kind, error, message, hint", [
    ("InternalServerError", errors.GenerationError, "is unavailable (after 2 attempts)", "server is running"),
    ("ServiceUnavailableError", errors.GenerationError, "is unavailable (after 2 attempts)", "rerun later"),
    ("APIConnectionError", errors.GenerationError, "could not reach http://localhost:9", "Start the server"),
    ("ContextWindowExceededError", errors.GenerationError, "prompt is too long", "PROMPT_BUDGET"),
    ("NotFoundError", errors.GenerationError, "does not know the model openai/gpt-4o-mini", "model name"),
    ("RateLimitError", errors.RateLimitError, "rate limiting", "Wait a minute"),
])
def test_errors_after_the_last_attempt_are_converted(litellm, script, kind, error, message, hint):
    script(*[failure(litellm, kind)] * 2)
    m, _ = model(retries=1, api_base="http://localhost:9")
    with pytest.raises(error) as info:
        m.complete(MESSAGES)
    assert type(info.value) is error and info.value.stage == "generate"
    assert message in info.value.message and hint in info.value.hint
    assert isinstance(info.value.__cause__, getattr(litellm, kind))


def test_unknown_cost_is_none_and_missing_usage_is_counted(litellm, script, monkeypatch):
    script(response(litellm, "SELECT 2", model="my-local-model", usage=False))
    monkeypatch.setattr(litellm, "completion_cost", lambda **kw: (_ for _ in ()).throw(ValueError("no price")))
    m, _ = model()
    completion = m.complete(MESSAGES)
    assert completion.cost is None
    assert completion.completion_tokens == 3  # "SELECT 2" in cl100k_base
    assert completion.prompt_tokens > 10


def test_importing_the_engine_does_not_import_litellm_or_tiktoken():
    code = ("import sys, vanna_magic.core.generate.model, vanna_magic.core.generate.prompt, "
            "vanna_magic.core.generate.tokens; "
            "print(sorted(m for m in ('litellm', 'tiktoken', 'tenacity') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_replay_key_is_canonical():
    reordered = [{"content": m["content"], "role": m["role"]} for m in MESSAGES]
    assert replay_key("a/m", MESSAGES) == replay_key("a/m", reordered)
    assert replay_key("a/m", MESSAGES) != replay_key("b/m", MESSAGES)
    assert replay_key("a/m", MESSAGES) != replay_key("a/m", MESSAGES[:1])
    assert len(replay_key("a/m", MESSAGES)) == 64
    assert replay_key("a/m", MESSAGES, 0) == replay_key("a/m", MESSAGES)
    assert len({replay_key("a/m", MESSAGES, n) for n in range(3)}) == 3  # samples of one prompt: one key each


def test_samples_of_one_prompt_are_recorded_and_replayed_separately(tmp_path):
    path = tmp_path / "replay.jsonl"
    fake = FakeModel(["```sql\nSELECT 1\n```", "```sql\nSELECT 2\n```"], name="a/m")
    recorder = ReplayModel(path, model_name="a/m", inner=fake, mode="record")
    recorder.complete(MESSAGES)
    recorder.complete(MESSAGES, sample=1)
    replay = ReplayModel(path, model_name="a/m", inner=None)
    assert [replay.complete(MESSAGES, sample=n).text for n in (0, 1)] == ["```sql\nSELECT 1\n```",
                                                                        "```sql\nSELECT 2\n```"]
    with pytest.raises(errors.ReplayMissError):
        replay.complete(MESSAGES, sample=2)


def test_record_then_replay_round_trip(tmp_path):
    path = tmp_path / "replay.jsonl"
    fake = FakeModel(["```sql\nSELECT count(*) FROM t\n```"], name="openai/gpt-4o-mini")
    recorded = ReplayModel(path, model_name="openai/gpt-4o-mini", inner=fake, mode="record").complete(MESSAGES)

    lines = path.read_text().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) == {"key", "model", "question", "response", "prompt_tokens", "completion_tokens",
                           "recorded_at"}
    assert record["question"] == "How many rows?" and record["model"] == "openai/gpt-4o-mini"
    assert record["key"] == replay_key("openai/gpt-4o-mini", MESSAGES)

    replayed = ReplayModel(path, model_name="openai/gpt-4o-mini", inner=None).complete(MESSAGES)
    assert replayed.text == recorded.text and replayed.replayed and not recorded.replayed
    assert (replayed.prompt_tokens, replayed.completion_tokens) == (recorded.prompt_tokens,
                                                                    recorded.completion_tokens)
    assert len(fake.calls) == 1


def test_replay_miss_says_how_to_record(tmp_path):
    path = tmp_path / "replay.jsonl"
    ReplayModel(path, model_name="m/x", inner=FakeModel(["SELECT 1"]), mode="record").complete(MESSAGES)
    other = [MESSAGES[0], {"role": "user", "content": "### Question\nWhich region sells most?"}]
    with pytest.raises(errors.ReplayMissError) as info:
        ReplayModel(path, model_name="m/x", inner=None).complete(other)
    assert "Which region sells most?" in info.value.message and str(path) in info.value.message
    assert "VANNA_MAGIC_REPLAY_MODE=record" in info.value.hint and "VANNA_MAGIC_MODEL=m/x" in info.value.hint


def test_replay_sees_records_appended_after_it_first_read(tmp_path):
    path = tmp_path / "replay.jsonl"
    path.write_text("")
    replay = ReplayModel(path, model_name="m/x", inner=None)
    with pytest.raises(errors.ReplayMissError):
        replay.complete(MESSAGES)
    ReplayModel(path, model_name="m/x", inner=FakeModel(["SELECT 3"]), mode="record").complete(MESSAGES)
    assert replay.complete(MESSAGES).text == "SELECT 3"


@pytest.mark.parametrize("bad", ["{not json", "[1, 2]", '{"key": "abc"}', '{"key": "abc", "response": 5}'])
def test_a_malformed_replay_line_names_file_and_line(tmp_path, bad):
    path = tmp_path / "replay.jsonl"
    good = json.dumps({"key": "k1", "model": "m/x", "response": "SELECT 1"})
    path.write_text(f"{good}\n\n{bad}\n")
    with pytest.raises(errors.ConfigurationError) as info:
        ReplayModel(path, model_name="m/x", inner=None).complete(MESSAGES)
    assert f"{path}" in info.value.message and "line 3" in info.value.message
    assert info.value.line == 3


def test_record_mode_needs_a_model(tmp_path):
    with pytest.raises(errors.ConfigurationError, match="record mode needs a model"):
        ReplayModel(tmp_path / "r.jsonl", model_name="m/x", inner=None, mode="record")


def test_concurrent_records_leave_only_whole_lines(tmp_path):
    path = tmp_path / "replay.jsonl"
    big = "SELECT " + ", ".join(f"c{i}" for i in range(3000))  # ~20 kB per line
    fake = FakeModel(lambda messages: big + " -- " + messages[-1]["content"])
    replay = ReplayModel(path, model_name="m/x", inner=fake, mode="record")

    def work(worker):
        for i in range(15):
            replay.complete([{"role": "user", "content": f"### Question\nq{worker}-{i}"}])

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    lines = path.read_text().splitlines()
    assert len(lines) == 90
    questions = {json.loads(line)["question"] for line in lines}
    assert questions == {f"q{w}-{i}" for w in range(6) for i in range(15)}


def settings(**overrides):
    return load_settings(overrides, environ={}, start=None)


def test_make_model_without_model_or_replay_file_is_none():
    assert make_model(settings()) is None


def test_make_model_builds_litellm_model_from_settings(monkeypatch):
    monkeypatch.setenv("VANNA_MAGIC_API_KEY", KEY)
    m = make_model(settings(model="ollama/qwen2.5-coder", api_base="http://localhost:11434", model_timeout=9,
                            model_retries=0, temperature=0.5))
    assert isinstance(m, LiteLLMModel)
    assert (m.name, m.api_base, m._api_key, m.timeout, m.retries, m.temperature) == (
        "ollama/qwen2.5-coder", "http://localhost:11434", KEY, 9.0, 0, 0.5)
    assert KEY not in repr(m)


def test_make_model_replays_relative_to_cwd_and_infers_the_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ReplayModel(tmp_path / "rec.jsonl", model_name="openai/gpt-4o-mini", inner=FakeModel(["SELECT 5"]),
                mode="record").complete(MESSAGES)
    m = make_model(settings(replay_file="rec.jsonl"))
    assert isinstance(m, ReplayModel) and m.mode == "replay" and m.inner is None
    assert m.path == tmp_path / "rec.jsonl" and m.name == "openai/gpt-4o-mini"
    completion = m.complete(MESSAGES)
    assert (completion.text, completion.model, completion.replayed) == ("SELECT 5", "openai/gpt-4o-mini", True)


def test_make_model_record_mode_wraps_the_real_model(tmp_path):
    m = make_model(settings(model="openai/gpt-4o-mini", replay_file=str(tmp_path / "r.jsonl"), replay_mode="record"))
    assert isinstance(m, ReplayModel) and isinstance(m.inner, LiteLLMModel) and m.mode == "record"


@pytest.mark.parametrize("content, message", [
    ("", "has no recorded responses"),
    (None, "has no recorded responses"),
    ('{"key": "a", "model": "x/1", "response": "S"}\n{"key": "b", "model": "y/2", "response": "S"}\n',
     "several models"),
])
def test_make_model_replay_without_a_model_needs_one_recorder(tmp_path, content, message):
    path = tmp_path / "r.jsonl"
    if content is not None:
        path.write_text(content)
    with pytest.raises(errors.ConfigurationError, match=message):
        make_model(settings(replay_file=str(path)))


def test_make_model_record_mode_without_model_is_a_configuration_error(tmp_path):
    with pytest.raises(errors.ConfigurationError, match="record mode needs a model"):
        make_model(settings(replay_file=str(tmp_path / "r.jsonl"), replay_mode="record"))


def test_fake_model_scripts_answers_and_errors():
    fake = FakeModel(["SELECT 1", errors.GenerationError("boom")])
    assert fake.complete(MESSAGES).text == "SELECT 1"
    with pytest.raises(errors.GenerationError):
        fake.complete(MESSAGES)
    with pytest.raises(AssertionError, match="only 2 responses"):
        fake.complete(MESSAGES)
    assert fake.questions == ["How many rows?"] * 3


class Clock:
    """A clock that only moves when the model sleeps or a scripted call takes its time."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_retries_and_backoff_fit_inside_the_one_budget(litellm, monkeypatch):
    clock = Clock()
    sent = []

    def hanging(**kwargs):  # every attempt waits out the time it was given
        sent.append(kwargs["timeout"])
        clock.now += kwargs["timeout"]
        raise failure(litellm, "Timeout", "Request timed out")

    monkeypatch.setattr(litellm, "completion", hanging)
    m = LiteLLMModel("openai/gpt-4o-mini", api_key=KEY, timeout=5, retries=3, sleep=clock.sleep, clock=clock)
    with pytest.raises(errors.QueryTimeoutError) as info:
        m.complete(MESSAGES)
    assert clock.now <= 5  # attempts and backoff together
    assert sent[0] == 5 and all(t <= 5 for t in sent)
    assert info.value.stage == "generate"


def test_a_retry_that_cannot_fit_is_not_made(litellm, monkeypatch):
    clock = Clock()
    calls = []

    def flaky(**kwargs):  # fails fast, asks to come back later than the budget allows
        calls.append(kwargs)
        clock.now += 0.1
        raise failure(litellm, "RateLimitError", headers={"retry-after": "30"})

    monkeypatch.setattr(litellm, "completion", flaky)
    m = LiteLLMModel("openai/gpt-4o-mini", api_key=KEY, timeout=10, retries=3, sleep=clock.sleep, clock=clock)
    with pytest.raises(errors.RateLimitError) as info:
        m.complete(MESSAGES)
    assert len(calls) == 1 and clock.sleeps == [] and clock.now < 10
    assert info.value.retry_after == 30


class SilentServer:
    """A local endpoint that accepts connections and never answers (or, trickling, sends a byte now and then)."""

    def __init__(self, trickle=None):
        import socket

        self.trickle = trickle
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.conns = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):

        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.conns.append(conn)
            if self.trickle:
                threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()
        for conn in self.conns:
            conn.close()
        self.sock.close()

    def _trickle(self, conn):
        import time

        try:
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not self.stop.is_set():
                time.sleep(self.trickle)
                conn.sendall(b"a")
        except OSError:
            pass


@pytest.mark.parametrize("trickle", [None, 0.2], ids=["silent", "trickling"])
def test_a_hanging_endpoint_returns_within_the_model_timeout(litellm, trickle):
    import time

    server = SilentServer(trickle)
    try:
        m = LiteLLMModel("openai/gpt-4o-mini", api_base=f"http://127.0.0.1:{server.port}/v1", api_key=KEY,
                         timeout=2, retries=3)
        start = time.perf_counter()
        with pytest.raises(errors.QueryTimeoutError) as info:
            m.complete(MESSAGES)
        elapsed = time.perf_counter() - start
    finally:
        server.stop.set()
    assert elapsed < 2 + 1
    assert "\n" not in info.value.message and "did not answer within 2 s" in info.value.message
