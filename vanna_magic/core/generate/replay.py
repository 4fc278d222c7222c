"""Record and replay: model responses kept in a JSONL file keyed by model and prompt, so notebooks and CI run
without a live model; and :func:`make_model`, the model a session's settings describe.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..config import api_key
from ..errors import ConfigurationError, ReplayMissError
from .model import QUESTION_HEADING, Completion, LanguageModel, LiteLLMModel

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the thread lock is all we have
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from ..config import Settings


def replay_key(model_name: str, messages: list[dict], sample: int = 0) -> str:
    """SHA-256 of the model name and the canonical JSON of ``messages``.

    ``sample``: which sample of the same prompt (self-consistency asks one prompt several times at a
    temperature above 0); each is recorded under its own key. The first (0) has the plain key.
    """
    content: dict = {"model": model_name, "messages": messages}
    if sample:
        content["sample"] = sample
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def question_of(messages: list[dict]) -> str:
    """The user's question in a prompt: the text after the question heading, else the last user message."""
    users = [str(m.get("content") or "") for m in messages if m.get("role") == "user"]
    for content in reversed(users):
        _, found, tail = content.rpartition(QUESTION_HEADING + "\n")
        if found:
            return tail.strip()
    text = users[-1].strip() if users else ""
    return text if len(text) <= 200 else text[:200] + "..."


_file_locks: dict[Path, threading.Lock] = {}
_file_locks_guard = threading.Lock()


def _file_lock(path: Path) -> threading.Lock:
    with _file_locks_guard:
        return _file_locks.setdefault(path, threading.Lock())


class ReplayModel:
    """Serves recorded responses from a JSONL file (``mode="replay"``) or records them (``"record"``).

    Each line is ``{"key", "model", "question", "response", "prompt_tokens",
    "completion_tokens", "recorded_at"}``; the key is :func:`replay_key` of the prompt.
    """

    def __init__(self, path: Path, *, model_name: str, inner: LanguageModel | None, mode: str = "replay",
                 clock: Callable[[], float] = time.perf_counter):
        if mode not in ("replay", "record"):
            raise ConfigurationError(f"replay mode {mode!r} is not one of replay, record", setting="replay_mode")
        if mode == "record" and inner is None:
            raise ConfigurationError(
                "record mode needs a model to record from", setting="model",
                hint="Set VANNA_MAGIC_MODEL (e.g. openai/gpt-4o-mini) with its API key, or use "
                     "VANNA_MAGIC_REPLAY_MODE=replay.")
        self.path = Path(path)
        self.name = model_name
        self.inner = inner
        self.mode = mode
        self._clock = clock
        self._index: dict[str, dict] = {}
        self._stamp: tuple[int, int] | None = None
        self._lock = _file_lock(self.path.absolute())

    def __repr__(self) -> str:
        return f"ReplayModel({str(self.path)!r}, model_name={self.name!r}, mode={self.mode!r})"

    def complete(self, messages: list[dict], *, sample: int = 0) -> Completion:
        """Return the recorded answer (replay) or the inner model's answer, recorded (record).

        ``sample``: the n-th sample of this prompt, recorded under its own key (see :func:`replay_key`).
        """
        if self.mode == "record":
            return self._record(messages, sample)
        start = self._clock()
        record = self.records().get(replay_key(self.name, messages, sample))
        if record is None:
            raise self._miss(messages)
        return Completion(text=record["response"], model=str(record.get("model") or self.name),
                          prompt_tokens=int(record.get("prompt_tokens") or 0),
                          completion_tokens=int(record.get("completion_tokens") or 0),
                          cost=None, elapsed=self._clock() - start, replayed=True)

    def records(self) -> dict[str, dict]:
        """The file's records by key (later lines win), read again only when the file changed."""
        with self._lock:
            try:
                stat = self.path.stat()
                stamp = (stat.st_size, stat.st_mtime_ns)
            except FileNotFoundError:
                self._index, self._stamp = {}, None
                return self._index
            if stamp != self._stamp:
                self._index = read_replay_file(self.path)
                self._stamp = stamp
            return self._index

    def _miss(self, messages: list[dict]) -> ReplayMissError:
        where = "does not exist" if not self.path.exists() else "has no recorded response"
        return ReplayMissError(
            f"the replay file {self.path} {where} for the question {question_of(messages)!r} (model {self.name})",
            hint=f"To record it: set VANNA_MAGIC_REPLAY_MODE=record and VANNA_MAGIC_MODEL={self.name} "
                 "(with its API key), then rerun the cell/notebook.",
            path=str(self.path))

    def _record(self, messages: list[dict], sample: int = 0) -> Completion:
        assert self.inner is not None
        completion = self.inner.complete(messages, sample=sample)
        record = {
            "key": replay_key(self.name, messages, sample), "model": self.name, "question": question_of(messages),
            "response": completion.text, "prompt_tokens": completion.prompt_tokens,
            "completion_tokens": completion.completion_tokens,
            "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        with self._lock:
            _append_line(self.path, line)
        return completion


def _append_line(path: Path, line: bytes) -> None:
    """Append one whole line: O_APPEND, one write, fsync; an OS lock keeps kernels from interleaving."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # released when the file is closed
        view = memoryview(line)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def read_replay_file(path: Path) -> dict[str, dict]:
    """Parse a replay file into ``{key: record}``; a malformed line is a ConfigurationError."""
    index: dict[str, dict] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read the replay file {path}: {exc}", setting="replay_file") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _bad_line(path, number, f"not JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise _bad_line(path, number, "not a JSON object")
        missing = [f for f in ("key", "response") if not isinstance(record.get(f), str)]
        if missing:
            raise _bad_line(path, number, f"no {' or '.join(missing)} string")
        index[record["key"]] = record
    return index


def _bad_line(path: Path, number: int, why: str) -> ConfigurationError:
    return ConfigurationError(
        f"the replay file {path} has a malformed record on line {number}: {why}", setting="replay_file",
        path=str(path), line=number,
        hint="Fix or delete that line, or delete the file and record again (VANNA_MAGIC_REPLAY_MODE=record).")


def recorded_models(path: Path) -> list[str]:
    """The distinct models that recorded the responses of a replay file, in order of first appearance."""
    if not path.is_file():
        return []
    return list(dict.fromkeys(str(r.get("model")) for r in read_replay_file(path).values() if r.get("model")))


def make_model(settings: "Settings") -> LanguageModel | None:
    """The model the settings describe: a replay wrapper, a litellm model, or ``None`` (none configured)."""
    model = settings.model
    real = None
    if model:
        real = LiteLLMModel(model, api_base=settings.api_base, api_key=api_key(), timeout=settings.model_timeout,
                            retries=settings.model_retries, temperature=settings.temperature,
                            sample_temperature=settings.sample_temperature)
    if not settings.replay_file:
        return real
    path = Path(settings.replay_file).expanduser()
    path = path if path.is_absolute() else Path.cwd() / path
    if settings.replay_mode == "record":
        return ReplayModel(path, model_name=model or "", inner=real, mode="record")
    # Replay never calls the model: a miss must fail loudly, not spend money in CI.
    return ReplayModel(path, model_name=model or _recorded_model(path), inner=None, mode="replay")


def _recorded_model(path: Path) -> str:
    models = recorded_models(path)
    if len(models) == 1:
        return models[0]
    if not models:
        raise ConfigurationError(
            f"the replay file {path} has no recorded responses and no model is set", setting="replay_file",
            hint="Record them: set VANNA_MAGIC_REPLAY_MODE=record and VANNA_MAGIC_MODEL=<model> (with its API key), "
                 "then rerun the notebook; or unset VANNA_MAGIC_REPLAY_FILE.")
    raise ConfigurationError(
        f"the replay file {path} holds responses of several models ({', '.join(models)})", setting="model",
        hint=f"Set VANNA_MAGIC_MODEL to the one to replay, e.g. {models[0]}.")
