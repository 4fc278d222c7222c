"""The progress line of a running ``%%ask`` or ``%%vsql`` cell: the stage at work and for how long.

One display (``display_id``) is opened when the cell starts and updated from the run's
:class:`~vanna_magic.core.ops.run.ProgressEvent`\\ s (and, while a stage runs, every half second by a
ticker thread); a streaming model's text shows below it. The display opens empty and is emptied
again when the cell ends, so nothing of it stays in the notebook.
"""

from __future__ import annotations

import html
import threading
import time
from typing import Any, Callable

from ..core.ops.run import END, START, TEXT, ProgressEvent

TEXT_SHOWN = 1500  # characters of the model's streamed answer kept in view
EMPTY = {"text/plain": "", "text/html": ""}


def _display(data: dict, **kwargs: Any) -> Any:
    from IPython.display import display

    return display(data, raw=True, **kwargs)


class ProgressDisplay:
    """A callable for :meth:`Session.ask`'s ``progress``; :meth:`close` when the cell is done.

    Args:
        show: publishes a raw mimebundle (``IPython.display.display`` by default; a seam for tests).
        tick: seconds between refreshes of the running stage's time; None: refresh on events only.
    """

    def __init__(self, *, show: Callable[..., Any] | None = None, tick: float | None = 0.5,
                 clock: Callable[[], float] = time.perf_counter):
        show = show or _display
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()
        self.running: str | None = None
        self._stage_started = self._started
        self.finished: list[tuple[str, float]] = []
        self.text = ""
        # Opened empty, filled by updates, emptied at the end: a notebook run again (nbval) sees the same output.
        self._handle = show(EMPTY, display_id=True)
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if tick is not None:
            self._ticker = threading.Thread(target=self._tick, args=(tick,), name="vanna-magic-progress", daemon=True)
            self._ticker.start()

    def __call__(self, event: ProgressEvent) -> None:
        with self._lock:
            now = self._clock()
            if event.status == START:
                self.running, self._stage_started = event.stage, now
            elif event.status == END:
                if self.running == event.stage:
                    self.finished.append((event.stage, now - self._stage_started))
                    self.running = None
            elif event.status == TEXT:
                self.text = (self.text + event.text)[-TEXT_SHOWN:]
        self.refresh()

    def refresh(self) -> None:
        if self._handle is not None and not self._stop.is_set():
            self._handle.update(self._bundle(), raw=True)

    def close(self) -> None:
        """Stop refreshing and leave an empty output where the progress was."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._handle is not None:
            self._handle.update(EMPTY, raw=True)

    def _tick(self, seconds: float) -> None:
        while not self._stop.wait(seconds):
            if self.running is not None:
                self.refresh()

    def line(self) -> str:
        """``retrieve 3 ms · prompt 12 ms · generate running for 1.4 s``."""
        with self._lock:
            parts = [f"{stage} {seconds * 1000:.0f} ms" for stage, seconds in self.finished]
            if self.running is not None:
                parts.append(f"{self.running} running for {self._clock() - self._stage_started:.1f} s")
            elif not self.finished:
                parts.append("starting")
        return " · ".join(parts)

    def _bundle(self) -> dict:
        line = self.line()
        text = self.text
        markup = f"<div class='vanna-progress' style='color:#666;font-size:90%'>⏳ {html.escape(line)}</div>"
        if text:
            markup += ("<pre class='vanna-progress-text' style='color:#555;font-size:85%;max-height:12em;"
                       f"overflow:auto;white-space:pre-wrap'>{html.escape(text)}</pre>")
        return {"text/plain": line + (f"\n{text}" if text else ""), "text/html": markup}
