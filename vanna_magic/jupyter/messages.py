"""How errors and progress are worded and shown: shared by the magics, the panel and the setup form."""

from __future__ import annotations

from contextlib import contextmanager
from html import escape
from typing import TYPE_CHECKING, Iterable, Iterator

from ..core.config import redact
from ..core.errors import VannaError

if TYPE_CHECKING:
    import ipywidgets

_COLOURS = {"error": "#c62828", "busy": "#555555", "ok": "#2e7d32"}


def error_text(exc: VannaError) -> str:
    """``[stage: rule] message``, its hint and the ``%vanna schema`` of the tables it read (when the schema helped),
    passwords and keys removed, as ``%%ask`` shows it."""
    answer = getattr(exc, "answer", None)
    rule = getattr(exc, "rule", None)
    prefix = f"[{exc.stage}: {rule}] " if rule else f"[{exc.stage}] "
    tries = f" (after {answer.repairs} repair attempts)" if answer is not None and answer.repairs else ""
    tables = getattr(exc, "tables", None) or []
    commands = " · ".join(f"%vanna schema {t}" for t in tables[:3])
    schema = f"\nSee {'its' if len(tables) == 1 else 'a table’s'} columns and types: {commands}" if tables else ""
    return redact(prefix + str(exc) + tries + schema)


def duration_text(seconds: float) -> str:
    """``340 ms`` under a second, ``2.4 s`` from one second on: a reader compares the digits, not the units."""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def show(message: "ipywidgets.HTML", text: str, kind: str) -> None:
    """Put ``text`` in a message widget; ``kind`` (ok, busy, error) is its colour and its ``data-kind``."""
    body = escape(text).replace("\n", "<br>")
    message.value = (f"<div class='vanna-message' data-kind='{kind}' style='color:{_COLOURS[kind]};"
                     f"white-space:normal'>{body}</div>")


@contextmanager
def busy(controls: Iterable["ipywidgets.DOMWidget"], message: "ipywidgets.HTML", doing: str) -> Iterator[None]:
    """Disable ``controls`` while the body runs, and enable them again however it ends.

    An error of ours is shown in ``message`` as the magics word it; any other exception as its
    type and text (never a traceback). When the body shows nothing, the message from before stays.
    """
    controls = list(controls)
    for control in controls:
        control.disabled = True
    before = message.value
    show(message, f"{doing}…", "busy")
    working = message.value
    try:
        yield
        if message.value == working:
            message.value = before
    except VannaError as exc:
        show(message, error_text(exc), "error")
    except KeyboardInterrupt:  # the notebook's interrupt button: the session cancelled what was running
        show(message, f"interrupted while {doing}: nothing more runs", "error")
    except Exception as exc:  # a failure of ours must not leave the controls disabled or print a traceback
        show(message, redact(f"unexpected error ({type(exc).__name__}): {exc}"), "error")
    finally:
        for control in controls:
            control.disabled = False
