"""Circuit breakers, request metrics, the health score and the operational mode.

A :class:`CircuitBreaker` guards one part (database, model, index): after
``failures`` consecutive failures it opens and fails calls fast; after
``cooldown`` seconds it lets trial calls through (half-open) and closes again after
``successes`` successes. Only failures of the part itself count (a lost connection,
a model that does not answer), never a SQL error in the user's own query.

>>> clock = FakeClock(1000.0)
>>> breaker = CircuitBreaker("database", failures=1, cooldown=30, clock=clock)
>>> breaker.record_failure(OSError("gone")); breaker.state
'OPEN'
>>> clock.advance(30); breaker.state
'HALF_OPEN'
"""

from __future__ import annotations

import copy
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from ..errors import CircuitOpenError, ConfigurationError, VannaError
from ..status import BREAKERS, clock_text
from .failures import FAILURES, is_database_failure, is_index_failure, is_model_failure  # noqa: F401

T = TypeVar("T")
CLOSED, OPEN, HALF_OPEN = "CLOSED", "OPEN", "HALF_OPEN"
DEFAULT_BREAKERS = "database=3/30,model=3/60,index=5/60"
NO_MODEL = "no language model is configured"
WEIGHTS = {"database": 40, "model": 30, "index": 15, "store": 15}
_STAGES = {"database": "execute", "model": "generate", "index": "retrieve"}
_HINTS = {
    "database": "Check that the database server is up; %vanna breaker reset database retries at once.",
    "model": "Check the model server or provider; %vanna breaker reset model retries at once. "
             "%%vsql and knowledge-base answers still work.",
    "index": "Rebuild the knowledge base index (delete the cache folder's *.faiss files); "
             "%vanna breaker reset index retries at once.",
}
CONNECT = ("Connect a database: %vanna connect postgresql://user@host/dbname (or sqlite:///path/to/file.db), "
           "or set VANNA_MAGIC_CONNECTION, or connection = \"...\" under [tool.vanna_magic] in pyproject.toml.")
FULL_OPERATIONAL, LIMITED_AI, READ_ONLY, CONFIGURATION, EMERGENCY = (
    "FULL_OPERATIONAL", "LIMITED_AI", "READ_ONLY", "CONFIGURATION", "EMERGENCY")


class FakeClock:
    """A clock for tests: call it for the time, ``advance(seconds)`` to move it."""

    def __init__(self, now: float = 0.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class CircuitBreaker:
    """CLOSED → OPEN after ``failures`` consecutive failures, HALF_OPEN after ``cooldown`` s, CLOSED after
    ``successes`` successes in HALF_OPEN (a failure there opens it again)."""

    def __init__(self, name: str, *, failures: int = 3, cooldown: float = 30.0, successes: int = 1,
                 clock: Callable[[], float] = time.time):
        self.name = name
        self.failures = failures
        self.cooldown = cooldown
        self.successes = successes
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CLOSED
        self.consecutive_failures = 0
        self._half_open_successes = 0
        self.opened_at: float | None = None
        self.last_error: str | None = None

    @property
    def state(self) -> str:
        with self._lock:
            return self._current()

    def _current(self) -> str:
        if self._state == OPEN and self.opened_at is not None and self._clock() >= self.retry_at:
            self._state = HALF_OPEN
            self._half_open_successes = 0
        return self._state

    @property
    def retry_at(self) -> float:
        return (self.opened_at or self._clock()) + self.cooldown

    def check(self) -> None:
        """Raise :class:`CircuitOpenError` (saying since when and when it retries) while the breaker is open."""
        with self._lock:
            if self._current() != OPEN:
                return
        raise self.open_error()

    def open_error(self) -> CircuitOpenError:
        return CircuitOpenError(
            f"the {self.name} is unavailable: it failed {self.consecutive_failures} times in a row "
            f"(last: {self.last_error}); calls fail fast since {clock_text(self.opened_at or 0)} "
            f"and it will be retried at {clock_text(self.retry_at)}",
            hint=_HINTS.get(self.name), stage=_STAGES.get(self.name, "session"), breaker=self.name,
            since=self.opened_at, retry_at=self.retry_at)

    def record_success(self) -> None:
        with self._lock:
            state = self._current()
            self.consecutive_failures = 0
            if state == HALF_OPEN:
                self._half_open_successes += 1
                if self._half_open_successes >= self.successes:
                    self._close()

    def record_failure(self, error: BaseException | str) -> None:
        with self._lock:
            state = self._current()
            self.consecutive_failures += 1
            self.last_error = _one_line(error)
            if state == HALF_OPEN or (state == CLOSED and self.consecutive_failures >= self.failures):
                self._state = OPEN
                self.opened_at = self._clock()

    def reset(self) -> None:
        """Close the breaker now (``%vanna breaker reset``)."""
        with self._lock:
            self._close()
            self.consecutive_failures = 0
            self.last_error = None

    def _close(self) -> None:
        self._state = CLOSED
        self.opened_at = None
        self._half_open_successes = 0

    def call(self, action: Callable[[], T], is_failure: Callable[[BaseException], bool]) -> T:
        """Run ``action`` unless the breaker is open; its exceptions for which ``is_failure`` holds count
        as failures, anything else it raises proves the part answered and counts as a success."""
        self.check()
        try:
            result = action()
        except Exception as exc:
            if is_failure(exc):
                self.record_failure(exc)
            else:
                self.record_success()
            raise
        self.record_success()
        return result

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            state = self._current()
            return {"state": state, "consecutive_failures": self.consecutive_failures,
                    "failures": self.failures, "cooldown": self.cooldown, "successes": self.successes,
                    "opened_at": self.opened_at, "retry_at": self.retry_at if state == OPEN else None,
                    "last_error": self.last_error}


def _one_line(error: BaseException | str) -> str:
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    text = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return text if len(text) <= 200 else text[:200] + "..."


def parse_breakers(spec: str) -> dict[str, tuple[int, float]]:
    """``"database=3/30,model=3/60"`` → ``{"database": (3, 30.0), ...}``; the defaults fill the rest.

    >>> parse_breakers("model=5/10")["model"], parse_breakers("model=5/10")["database"]
    ((5, 10.0), (3, 30.0))
    """
    result: dict[str, tuple[int, float]] = {}
    for text in (DEFAULT_BREAKERS, spec or ""):
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, _, value = item.partition("=")
            failures, _, cooldown = value.partition("/")
            try:
                number, seconds = int(failures), float(cooldown)
            except ValueError:
                number, seconds = 0, 0.0
            if name.strip() not in BREAKERS or number <= 0 or seconds <= 0:
                raise ConfigurationError(
                    f"setting 'breakers' has an invalid entry {item!r}", setting="breakers",
                    hint=f"Write PART=FAILURES/COOLDOWN_SECONDS for parts {', '.join(BREAKERS)}, "
                         f"e.g. {DEFAULT_BREAKERS}.")
            result[name.strip()] = (number, seconds)
    return result


def guarded(health: "Health | None", part: str, action: Callable[[], T]) -> T:
    """``action`` through ``health``'s breaker for ``part``; called directly when there is no health."""
    return action() if health is None else health.call(part, action)


LAST_ERRORS = 5  # the errors of this process that status and the sidebar list


@dataclass
class Metrics:
    """Counts, per-stage latencies (the last ``window`` of each), tokens and cost since the process started."""

    window: int = 1000
    started_at: float = field(default_factory=time.time)
    requests: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    latencies: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    last_errors: deque = field(default_factory=lambda: deque(maxlen=LAST_ERRORS))  # newest last
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, answer: Any, failed: bool, stage: str | None = None) -> None:
        with self._lock:
            self.requests += 1
            self.errors += int(failed)
            if failed:
                self.last_errors.append(f"[{stage or 'error'}] {answer.error or 'failed'}")
            self.prompt_tokens += answer.prompt_tokens
            self.completion_tokens += answer.completion_tokens
            self.cost += answer.cost or 0.0
            for stage, seconds in [*answer.timings.items(), ("total", answer.total_seconds)]:
                values = self.latencies[stage]
                values.append(seconds)
                if len(values) > self.window:
                    values.popleft()

    def snapshot(self, clock: Callable[[], float] = time.time) -> dict[str, Any]:
        with self._lock:
            stages = {stage: {"count": len(v), "p50_ms": round(percentile(v, 50) * 1000, 2),
                              "p95_ms": round(percentile(v, 95) * 1000, 2)} for stage, v in self.latencies.items()}
            return {"requests": self.requests, "errors": self.errors, "latency": stages,
                    "last_errors": tuple(reversed(self.last_errors)),
                    "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                    "tokens": self.prompt_tokens + self.completion_tokens, "cost": round(self.cost, 6),
                    "uptime_s": round(clock() - self.started_at, 1), "memory_mb": process_memory_mb()}


def percentile(values: Any, pct: float) -> float:
    """Nearest-rank percentile; 0.0 for no values.

    >>> percentile([1, 2, 3, 4], 50), percentile([1, 2, 3, 4], 95)
    (2, 4)
    """
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def process_memory_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


class Health:
    """The breakers and metrics of one session. The database breaker is one per connection, keyed by its URL
    without secrets: :meth:`bound` gives one connection's view (its own database breaker, the shared model
    and index breakers and metrics), so that failures of one database never open another's breaker."""

    def __init__(self, breakers: str = DEFAULT_BREAKERS, successes: int = 1, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.breakers = {name: CircuitBreaker(name, failures=f, cooldown=c, successes=successes, clock=clock)
                         for name, (f, c) in parse_breakers(breakers).items()}
        self.metrics = Metrics(started_at=clock())
        self.spec = (breakers, successes)
        self._databases: dict[str, CircuitBreaker] = {}
        self._databases_lock = threading.Lock()
        self._main: str | None = None

    def configure(self, breakers: str, successes: int) -> None:
        """Apply new thresholds, keeping each breaker's state."""
        if (breakers, successes) == self.spec:
            return
        with self._databases_lock:
            databases = list(self._databases.values())
        for name, (failures, cooldown) in parse_breakers(breakers).items():
            for breaker in {self.breakers[name], *(databases if name == "database" else [])}:
                breaker.failures, breaker.cooldown, breaker.successes = failures, cooldown, successes
        self.spec = (breakers, successes)

    def database(self, url: str) -> CircuitBreaker:
        """The database breaker of the connection at ``url`` (keyed without its secrets)."""
        from ..config import redact

        key = redact(url)
        with self._databases_lock:
            if key not in self._databases:
                like = self.breakers["database"]
                self._databases[key] = CircuitBreaker("database", failures=like.failures, cooldown=like.cooldown,
                                                      successes=like.successes, clock=self.clock)
            return self._databases[key]

    def use_main(self, url: str) -> None:
        """Make ``url``'s breaker ``breakers["database"]``; the first connection named takes over the one there was."""
        from ..config import redact

        key = redact(url)
        with self._databases_lock:
            if key == self._main:
                return
            if self._main is None and key not in self._databases:
                self._databases[key] = self.breakers["database"]
            self._main = key
        self.breakers["database"] = self.database(url)

    def bound(self, url: str) -> "Health":
        """This health as one connection sees it: ``breakers["database"]`` is that connection's."""
        view = copy.copy(self)  # shares the metrics and the per-connection breakers
        view.breakers = {**self.breakers, "database": self.database(url)}
        return view

    def available(self, name: str) -> bool:
        return self.breakers[name].state != OPEN

    def call(self, part: str, action: Callable[[], T]) -> T:
        """Run ``action`` through the breaker of ``part``, counting only that part's own failures."""
        return self.breakers[part].call(action, FAILURES[part])

    def request_mode(self, *, model_configured: bool) -> "Mode":
        """The mode from the breakers alone (no probes): decides, per request, what may run."""
        database = self.breakers["database"]
        model = self.breakers["model"]
        return operational_mode(
            database=database.state != OPEN, configured=True, model=model_configured and model.state != OPEN,
            index=self.available("index"), database_error=database.last_error or "",
            model_reason=NO_MODEL if not model_configured
            else f"the model is unavailable since {clock_text(model.opened_at or 0)} ({model.last_error})")

    def reset(self, name: str | None = None) -> list[str]:
        names = [name] if name else list(self.breakers)
        for each in names:
            if each not in self.breakers:
                raise VannaError(f"there is no breaker named {each!r}", stage="health",
                                 hint=f"Breakers: {', '.join(self.breakers)}.")
            self.breakers[each].reset()
        return names


@dataclass(frozen=True)
class Mode:
    """The operational mode, why, and what does not work in it."""

    name: str
    reason: str
    unavailable: tuple[str, ...] = ()
    next_step: str | None = None


def operational_mode(*, database: bool, configured: bool, model: bool, index: bool, database_error: str = "",
                     model_reason: str = NO_MODEL) -> Mode:
    """The mode for the given availability of the parts (see DESIGN.md, "Operational modes").

    >>> operational_mode(database=True, configured=True, model=False, index=True).name
    'LIMITED_AI'
    """
    if not database and not configured:
        return Mode(CONFIGURATION, f"no database is connected: {database_error}".rstrip(": "),
                    ("questions", "SQL", "schema", "history rerun and export"), CONNECT)
    if not database:
        return Mode(EMERGENCY, f"the database is unreachable: {database_error}".rstrip(": "),
                    ("questions", "SQL", "schema", "history rerun and export"),
                    "Check that the database server is up; calls are retried by themselves after the cool-down "
                    "(%vanna breaker reset database retries at once), or %vanna connect another database.")
    if not model and not index:
        return Mode(READ_ONLY, f"{model_reason}, and the knowledge-base index is unavailable",
                    ("questions (%%ask)", "SQL generation", "semantic search"))
    if not model:
        leave = ("Configure a model to leave LIMITED_AI: %vanna setup (every other way: %vanna help model)."
                 if not configured_model(model_reason) else
                 "The model is retried by itself after the cool-down (%vanna breaker reset model retries at once); "
                 "check its server or key with %vanna setup's Test model.")
        return Mode(LIMITED_AI, model_reason, ("SQL generation for new questions", "repairs"), leave)
    if not index:
        return Mode(LIMITED_AI, "the knowledge-base index is unavailable",
                    ("semantic search", "retrieved examples in prompts", "answers without a model"))
    return Mode(FULL_OPERATIONAL, "database, model and index are available")


def configured_model(model_reason: str) -> bool:
    """Whether the model is missing because it failed, not because none is configured."""
    return model_reason != NO_MODEL


def score(parts: dict[str, bool]) -> int:
    """0-100: the weights of the parts that are available (database 40, model 30, index 15, store 15)."""
    return sum(weight for name, weight in WEIGHTS.items() if parts.get(name))
