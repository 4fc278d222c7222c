"""The kernel side of the JupyterLab sidebar: answers ``{id, op, args}`` comm messages from a Session.

:func:`handle` is a pure function of a message and a session (what the tests drive);
:func:`register_comm_target` wires it to the kernel's comm manager when the extension loads.
Every reply follows :mod:`vanna_magic.jupyter.protocol`; nothing a front end sends can
raise out of :func:`handle`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable

from ..core.config import redact
from ..core.errors import ProtocolError, VannaError
from .protocol import COMM_TARGET, OPS, validate_args

if TYPE_CHECKING:
    from ..core.session import Session
    from ..core.status import Status

log = logging.getLogger(__name__)
_SEARCH_LIMIT = 20


def handle(session: "Session", message: Any) -> dict[str, Any]:
    """The reply to one request: ``{id, ok: True, result}`` or ``{id, ok: False, error}``."""
    request_id = message.get("id") if isinstance(message, dict) else None
    try:
        op, args = _parse(message)
        result = _HANDLERS[op](session, **args)
    except VannaError as exc:
        return {"id": request_id, "ok": False, "error": _error(exc)}
    except Exception as exc:  # the kernel must answer whatever goes wrong, and keep running
        log.exception("vanna_magic sidebar: %s failed", message)
        error = {"message": redact(f"{type(exc).__name__}: {exc}"), "kind": "InternalError",
                 "hint": "This is a bug in vanna-magic; the kernel's log has the traceback."}
        return {"id": request_id, "ok": False, "error": error}
    return {"id": request_id, "ok": True, "result": result}


def _parse(message: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(message, dict):
        raise ProtocolError(f"a request must be an object, got {type(message).__name__}",
                            hint="send {id, op, args}")
    request_id = message.get("id")
    if not isinstance(request_id, (str, int)) or isinstance(request_id, bool):
        raise ProtocolError("a request needs an 'id' (a string or a number)", hint="send {id, op, args}")
    op = message.get("op")
    if not isinstance(op, str):
        raise ProtocolError("a request needs an 'op' (a string)", hint=f"ops: {', '.join(OPS)}")
    return op, validate_args(op, message.get("args"))


def _error(exc: VannaError) -> dict[str, Any]:
    return {"message": redact(exc.message), "hint": redact(exc.hint) if exc.hint else None,
            "kind": type(exc).__name__}


def schema(session: "Session", refresh: bool = False, table: str | None = None) -> dict[str, Any]:
    tables = session.schema(table, refresh=refresh)
    return {"connection": redact(session.connection_url), "dialect": session.dialect,
            "tables": [_table(t) for t in tables]}


def _table(table: Any) -> dict[str, Any]:
    return {
        "name": table.name, "schema": table.schema, "comment": table.comment, "row_estimate": table.row_estimate,
        "primary_key": list(table.primary_key),
        "columns": [{"name": c.name, "type": c.type, "nullable": c.nullable, "primary_key": c.primary_key,
                     "comment": c.comment} for c in table.columns],
        "foreign_keys": [{"columns": list(fk.columns), "ref_table": fk.ref_table, "ref_columns": list(fk.ref_columns)}
                         for fk in table.foreign_keys],
    }


def docs(session: "Session") -> dict[str, Any]:
    kb = session.knowledge_base
    return {
        "definitions": [{"kind": d.kind, "name": d.name, "text": d.text, "sql": d.sql, "tables": list(d.tables)}
                        for d in kb.definitions],
        "documents": [{"title": d.title, "text": d.text, "table": d.table, "path": d.path} for d in kb.documents],
        "problems": [redact(str(p)) for p in kb.problems],
    }


def search(session: "Session", text: str, limit: int = _SEARCH_LIMIT) -> dict[str, Any]:
    """Tables, columns, definitions, documents and examples ranked as ``%vanna search`` ranks them
    (:meth:`Session.search <vanna_magic.core.session.Session.search>`)."""
    if limit < 1:
        raise ProtocolError(f"limit must be at least 1, got {limit}", hint="omit limit for the default of 20")
    if not text.strip():
        raise ProtocolError("search needs some text", hint="e.g. {op: 'search', args: {text: 'revenue'}}")
    hits = session.search(text, limit=int(limit))
    return {"text": text, "hits": [{"kind": h.kind, "name": h.name, "snippet": h.text, "score": h.score}
                                   for h in hits]}


def health(session: "Session") -> dict[str, Any]:
    """Mode, score, breakers, latencies and errors from :meth:`Session.status`, as the contract's ``HealthResult``."""
    status = session.status()
    kb = status.knowledge_base
    return {
        "mode": status.mode, "mode_reason": status.mode_reason, "unavailable": list(status.unavailable),
        "score": status.health_score, "connection": status.connection, "demo": status.demo,
        "database": status.database, "database_error": status.database_error, "dialect": status.dialect,
        "model": status.model, "index": _index_state(status),
        "breakers": [{"name": name, "state": b.state, "failures": b.consecutive_failures}
                     for name, b in status.breakers.items()],
        "latencies": [{"name": stage, "seconds": round(v.p50_ms / 1000, 4), "p95_seconds": round(v.p95_ms / 1000, 4)}
                      for stage, v in status.metrics.latency.items()],
        "errors": this_kernels_errors(status), "next_step": status.next_step,
        "examples": kb.examples, "definitions": kb.definitions, "documents": kb.documents,
        "problems": list(kb.problems),
    }


def this_kernels_errors(status: "Status") -> list[str]:
    """This kernel's newest failed questions and statements, then its breakers' last errors not among them."""
    errors = [redact(e) for e in status.metrics.last_errors]
    errors += [redact(f"{name} breaker: {b.last_error}") for name, b in status.breakers.items()
               if b.last_error and not any(b.last_error in e for e in errors)]
    return errors


def _index_state(status: "Status") -> str:
    return "ok" if status.parts["index"] else f"unavailable: {status.index_error or 'breaker open'}"


def breaker_reset(session: "Session", name: str) -> dict[str, Any]:
    return {"name": name, "state": session.reset_breakers(name)[name]}


_HANDLERS: dict[str, Callable[..., dict[str, Any]]] = {
    "schema": schema, "docs": docs, "search": search, "health": health, "breaker_reset": breaker_reset}
assert set(_HANDLERS) == set(OPS), "every op of the contract has a handler"


def register_comm_target(ipython: Any, session_of: Callable[[], "Session"]) -> bool:
    """Answer sidebar comms opened on target ``vanna_magic``; False when ``ipython`` is not a kernel."""
    if getattr(ipython, "kernel", None) is None:
        return False
    import comm as comm_package

    def opened(comm: Any, _open_msg: dict) -> None:
        comm.on_msg(lambda msg: comm.send(json_safe(handle(session_of(), msg["content"]["data"]))))

    comm_package.get_comm_manager().register_target(COMM_TARGET, opened)
    return True


def json_safe(reply: dict[str, Any]) -> dict[str, Any]:
    """``reply`` with any value JSON cannot carry (a date, a Decimal from a catalog) as its text.

    A reply the comm cannot serialize would never reach the sidebar, which would then wait in vain.
    """
    import json

    return json.loads(json.dumps(reply, default=str))


def unregister_comm_target(ipython: Any) -> None:
    if getattr(ipython, "kernel", None) is None:
        return
    import comm as comm_package

    comm_package.get_comm_manager().targets.pop(COMM_TARGET, None)
