"""A question or statement in flight: progress events for front ends, and cancellation.

:class:`~vanna_magic.core.session.Session` opens a :class:`Run` around the pipeline; every
stage (``retrieve``, ``prompt``, ``generate``, ``firewall``, ``execute``) reports its start and
end through it, a streaming model reports its text, and a cancelled run stops at the next
stage. The run is found through a context variable, so the stages need no extra argument and
front ends (the magic's progress display, the panel) subscribe with one callback.

:func:`interruptible` runs the pipeline in a worker thread so that a KeyboardInterrupt (the
notebook's interrupt button) reaches the waiting main thread at once: the running statement
is cancelled on the server, a model call is abandoned, and the interrupt is raised.
"""

from __future__ import annotations

import contextvars
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator, TypeVar

from ..errors import QueryCancelledError

T = TypeVar("T")
START, END, TEXT = "start", "end", "text"
CANCEL_GRACE = 0.8  # seconds the worker gets to wind down after a cancel before it is abandoned


@dataclass(frozen=True)
class ProgressEvent:
    """``stage`` started, ended (``elapsed`` seconds since the run began) or produced ``text`` (model output)."""

    stage: str
    status: str  # start | end | text
    elapsed: float
    text: str = ""


Progress = Callable[[ProgressEvent], None]


@dataclass
class Run:
    """One question or statement in flight: where its progress goes and whether it was cancelled."""

    progress: Progress | None = None
    started: float = field(default_factory=time.perf_counter)
    cancelled: threading.Event = field(default_factory=threading.Event)

    def emit(self, stage: str, status: str, text: str = "") -> None:
        if self.progress is not None:
            self.progress(ProgressEvent(stage, status, time.perf_counter() - self.started, text))

    def check(self, stage: str) -> None:
        """Raise :class:`QueryCancelledError` when the run was cancelled (called as each stage starts)."""
        if self.cancelled.is_set():
            raise QueryCancelledError(f"cancelled before the {stage} stage", stage=stage)


_current: contextvars.ContextVar[Run | None] = contextvars.ContextVar("vanna_magic_run", default=None)


def current() -> Run | None:
    """The run of this thread's question, if one is in flight."""
    return _current.get()


@contextmanager
def running(run: Run) -> Iterator[Run]:
    token = _current.set(run)
    try:
        yield run
    finally:
        _current.reset(token)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Report ``name`` starting and ending to the current run; refuse to start a cancelled run's stage."""
    run = _current.get()
    if run is None:
        yield
        return
    run.check(name)
    run.emit(name, START)
    try:
        yield
    finally:
        run.emit(name, END)


def model_text(text: str) -> None:
    """Report a piece of the model's streamed answer; stop the stream when the run was cancelled."""
    run = _current.get()
    if run is None:
        return
    if run.cancelled.is_set():
        raise QueryCancelledError("cancelled while the model was answering", stage="generate")
    run.emit("generate", TEXT, text)


def wants_text() -> bool:
    """Whether anyone listens to the model's text as it streams."""
    run = _current.get()
    return run is not None and run.progress is not None


class Background:
    """``work()`` started in a daemon thread of its own with the caller's context (the run's progress and
    cancel flag go with it); ``done`` is set when it ends, ``result()`` returns its value or raises its error."""

    def __init__(self, work: Callable[[], object], name: str):
        self.done = threading.Event()
        self.value: object = None
        self.error: BaseException | None = None
        self.succeeded = False
        context = contextvars.copy_context()

        def target() -> None:
            try:
                self.value = context.run(work)
                self.succeeded = True
            except BaseException as exc:  # handed to the waiting thread, which raises it
                self.error = exc
            finally:
                self.done.set()

        threading.Thread(target=target, name=name, daemon=True).start()

    def result(self):
        if self.error is not None:
            raise self.error
        return self.value


def interruptible(run: Run, work: Callable[[], T], cancel: Callable[[], object]) -> T:
    """``work()`` in a worker thread, returning its result; a KeyboardInterrupt while waiting cancels it.

    On the interrupt, ``run`` is marked cancelled (later stages do not start, a streaming model
    stops), ``cancel()`` stops what runs on the server, the worker gets :data:`CANCEL_GRACE`
    seconds to wind down (a model call that does not return is abandoned), and the
    KeyboardInterrupt is raised again. Off the main thread there are no interrupts: ``work()`` runs inline.
    """
    if threading.current_thread() is not threading.main_thread():
        return work()
    worker = Background(work, "vanna-magic-run")
    done = worker.done  # waited on instead of Thread.join: an interrupted join marks a live thread as ended
    try:
        while not done.wait(0.05):
            pass
    except KeyboardInterrupt:
        run.cancelled.set()
        # Cancel again until the worker ends: a statement may start just after a cancel found nothing running.
        deadline = time.monotonic() + CANCEL_GRACE
        while not done.is_set() and time.monotonic() < deadline:
            cancel()
            done.wait(0.2)
        raise
    return worker.result()  # type: ignore[return-value]
