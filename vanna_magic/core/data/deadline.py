"""A client-side deadline for work on a network database: nothing waits on a server forever.

The server's own time limit (``statement_timeout``, ``max_statement_time``...) stops a slow
statement; it cannot stop anything when the server itself stops answering (a frozen process,
a network partition: the kernel still accepts the bytes, nobody answers them). :func:`bounded`
runs the work in a worker thread and, past its deadline, first asks the server to cancel, then
severs the connection's socket, and if the work has still not returned it is abandoned:

========================  ==========================================================
``seconds`` + 0.3 s       the server had its chance: a cancel request, never waited on
+ 1 s more                the cancel did not help: the connection's socket is shut down
+ 0.2 s more              the work is abandoned in its thread; :class:`Late` either way
========================  ==========================================================

A cancelled run (the notebook's interrupt) is seen within 0.1 s: the work is cancelled the same way
and the wait ends within the cancel's second. Cancel and sever calls run in threads of their own and are never
waited on: a cancel sent to a frozen server blocks as long as the server does.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any, Callable, TypeVar

from ..errors import QueryCancelledError

T = TypeVar("T")
SERVER_GRACE = 0.3  # seconds past the limit the server's own timeout gets to end the statement
CANCEL_WAIT = 1.0  # seconds a cancel request gets before the connection is severed
SEVER_WAIT = 0.2  # seconds a severed connection gets to raise before the work is abandoned


class Late(Exception):
    """The work outlived its deadline: it was cancelled (``severed``: its connection shut down too,
    and if it had still not returned, it was left in its thread)."""

    def __init__(self, severed: bool):
        super().__init__("severed" if severed else "cancelled")
        self.severed = severed


def fire(action: Callable[[], object]) -> None:
    """``action()`` in a daemon thread of its own, never waited on; its errors are dropped."""

    def target() -> None:
        try:
            action()
        except Exception:  # noqa: BLE001 - a cancel or sever that fails has nothing left to do
            pass

    threading.Thread(target=target, name="vanna-magic-cancel", daemon=True).start()


def bounded(seconds: float, work: Callable[[], T], *, cancel: Callable[[], object],
            sever: Callable[[], object]) -> T:
    """``work()``'s result within ``seconds`` + about 1.5 s, whatever the server does (see the module)."""
    from ..ops import run

    worker = run.Background(work, "vanna-magic-query")
    done = worker.done
    flight = run.current()
    limit = time.monotonic() + seconds + SERVER_GRACE
    interrupted = False
    while not done.wait(0.1):
        if flight is not None and flight.cancelled.is_set():
            interrupted = True
            break
        if time.monotonic() >= limit:
            break
    late = severed = False
    if not done.is_set():
        late = not interrupted
        fire(cancel)
        if not done.wait(CANCEL_WAIT):
            severed = True
            fire(sever)
            done.wait(SEVER_WAIT)
    if worker.succeeded:
        return worker.value  # type: ignore[return-value]
    if interrupted and not done.is_set():
        raise QueryCancelledError("the query was cancelled; the database did not answer the cancel")
    if late:
        raise Late(severed) from worker.error
    return worker.result()  # type: ignore[return-value]


def socket_of(dbapi_connection: Any) -> int | None:
    """The file descriptor of a DB-API connection's socket, where the driver shows it (None elsewhere)."""
    try:
        pgconn = getattr(dbapi_connection, "pgconn", None)  # psycopg 3
        if pgconn is not None:
            return int(pgconn.socket)
        sock = getattr(dbapi_connection, "_sock", None)  # PyMySQL
        if sock is not None:
            return int(sock.fileno())
        fileno = getattr(dbapi_connection, "fileno", None)  # psycopg2
        return int(fileno()) if callable(fileno) else None
    except Exception:  # noqa: BLE001 - a closed connection has no socket left to sever
        return None


class Severer:
    """Holds a duplicate of a connection's socket so that :meth:`sever` shuts down that very socket
    (never another one that reused its number); :meth:`close` lets it go."""

    def __init__(self, dbapi_connection: Any):
        fd = socket_of(dbapi_connection)
        self._fd: int | None = None
        if fd is not None and fd >= 0:
            try:
                self._fd = os.dup(fd)
            except OSError:
                self._fd = None
        self._lock = threading.Lock()

    def sever(self) -> None:
        """Shut the socket down both ways: a read blocked on it returns at once and the driver raises."""
        with self._lock:
            if self._fd is None:
                return
            try:
                with socket.socket(fileno=os.dup(self._fd)) as sock:
                    sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        with self._lock:
            fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
