"""Secrets out of exceptions: the whole chain, not only the package's own message.

A provider's error may echo the API key (in its message, its body, its response); the package's
error carries a redacted message but chains the provider's with ``from``, and a traceback prints
every exception of the chain.  :func:`redact_exception` rewrites, in place, every exception
reachable from one (``__cause__``, ``__context__``, exceptions among the ``args``, the members of
an exception group): its ``args``, its notes and every attribute whose text holds a secret.
:func:`redacting` applies it to every public method of a class (the :class:`Session`), so no
exception leaves the Python API with a secret in it.

>>> import os
>>> error = RuntimeError("the model failed")
>>> error.__cause__ = ValueError("Incorrect API key provided: sk-abcdef123456")
>>> redact_exception(error, secrets=["sk-abcdef123456"]).__cause__.args
('Incorrect API key provided: ***',)
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Iterable, TypeVar

from .config import redact

C = TypeVar("C", bound=type)
_MIN_SECRET = 4
_TEXT_ATTRIBUTES = ("text", "content", "headers", "request", "body")


def clean(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without passwords in URLs, secret environment values or any of ``secrets``."""
    text = redact(text)
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET:
            text = text.replace(secret, "***")
    return text


def redact_exception(exc: BaseException, secrets: Iterable[str] = ()) -> BaseException:
    """Remove secrets from ``exc`` and every exception chained to it, in place; returns ``exc``."""
    secrets = tuple(s for s in secrets if s)
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        members = getattr(current, "exceptions", ())  # an exception group's
        members = members if isinstance(members, (list, tuple)) else ()
        pending.extend((current.__cause__, current.__context__))
        pending.extend(e for e in (*current.args, *members) if isinstance(e, BaseException))
        _scrub(current, secrets)
    return exc


def redacting(cls: C, secrets: Callable[[Any], Iterable[str]] = lambda self: ()) -> C:
    """Wrap every public method of ``cls`` so an exception leaving it has no secret in its chain.

    ``secrets(self)`` names secrets the environment does not hold (a key given in code).
    """
    for name in dir(cls):
        if name.startswith("_"):
            continue
        attribute = inspect.getattr_static(cls, name)
        if inspect.isfunction(attribute):
            setattr(cls, name, _guard(attribute, secrets))
    return cls


def _guard(method: Callable, secrets: Callable[[Any], Iterable[str]]) -> Callable:
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            try:
                known = tuple(secrets(self))
            except Exception:  # the secrets are looked up on a broken object: the environment's still go
                known = ()
            redact_exception(exc, known)
            raise

    return guarded


def _scrub(exc: BaseException, secrets: tuple[str, ...]) -> None:
    try:
        exc.args = tuple(_clean_value(arg, secrets) for arg in exc.args)
    except (AttributeError, TypeError):
        pass
    notes = getattr(exc, "__notes__", None)
    if isinstance(notes, list):
        notes[:] = [clean(str(note), secrets) for note in notes]
    for name, value in list(getattr(exc, "__dict__", {}).items()):
        if name.startswith("__"):
            continue
        cleaned = _clean_value(value, secrets)
        if cleaned is not value:
            try:
                setattr(exc, name, cleaned)
            except (AttributeError, TypeError):
                pass


def _clean_value(value: Any, secrets: tuple[str, ...]) -> Any:
    """``value`` itself when it holds no secret; else its text, redacted (a response or a body becomes text)."""
    if isinstance(value, BaseException) or value is None or isinstance(value, (bool, int, float)):
        return value  # an exception is a link of the chain: redacted on its own
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, BaseException) for v in value):
        return value
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("utf-8", "replace")
        return value if clean(text, secrets) == text else clean(text, secrets)
    if isinstance(value, str):
        cleaned = clean(value, secrets)
        return value if cleaned == value else cleaned
    texts = _texts(value)
    if all(clean(text, secrets) == text for text in texts):
        return value
    return clean(texts[0], secrets)


def _texts(value: Any) -> list[str]:
    """What an object shows: its repr, and the text, headers and body of a response or request."""
    return [_read(lambda: repr(value))] + [_read(lambda a=a: str(getattr(value, a, ""))) for a in _TEXT_ATTRIBUTES]


def _read(show: Callable[[], str]) -> str:
    try:
        return show()
    except Exception:  # a property that fails (an unread streamed response) holds nothing to show
        return ""
