"""Time to return when something does not answer or the input is bad: one row per scenario.

Every scenario runs against the ``vanna_magic`` on ``PYTHONPATH`` (so an older tree can be measured
the same way) and is capped: a wait that would go on forever is ended by the bench (the frozen
server is resumed, the model server closed) and shown as ``>CAP``. The outcome column says how the
call ended: ``one sentence`` (an error of the package / a UsageError), ``TRACEBACK`` (any other
exception), ``ok``.

    PYTHONPATH=. python -m bench.reliability [--cap 25]
"""

from __future__ import annotations

import _thread
import argparse
import contextlib
import io
import os
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HUGE = "99999999999999999999999"


def _outcome(exc: BaseException | None) -> str:
    from IPython.core.error import UsageError

    from vanna_magic.core.errors import VannaError

    if exc is None:
        return "ok"
    if isinstance(exc, (VannaError, UsageError)):
        return "one sentence"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"TRACEBACK ({type(exc).__name__})"


def _timed(action, *args, **kwargs) -> tuple[float, BaseException | None]:
    start = time.perf_counter()
    try:
        action(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001 - the outcome is what is measured
        return time.perf_counter() - start, exc
    return time.perf_counter() - start, None


def model_scenarios(cap: float) -> list[tuple[str, float, str]]:
    from vanna_magic.core.generate.model import LiteLLMModel, _litellm

    _litellm()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: [held.append(server.accept()[0]) for _ in iter(int, 1)], daemon=True).start()
    rows = []
    for timeout in (2, 5):
        model = LiteLLMModel("openai/bench", api_base=f"http://127.0.0.1:{server.getsockname()[1]}/v1",
                             api_key="sk-bench", timeout=timeout, retries=3)
        seconds, exc = _timed(model.complete, [{"role": "user", "content": "hi"}])
        rows.append((f"hanging model endpoint, model_timeout={timeout}, 3 retries", seconds, _outcome(exc)))
    server.close()
    return rows


def database_scenarios(cap: float, tmp: Path) -> list[tuple[str, float, str]]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("frozen_server", ROOT / "tests" / "frozen_server.py")
    frozen_server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(frozen_server)
    from vanna_magic import Session
    from vanna_magic.core.config import load_settings

    rows = []
    server = frozen_server.FrozenServer().start()
    try:
        for path, sql in (("arrow", "SELECT 2 AS x"), ("plain", "SELECT 2 AS x, interval '1 day' AS d")):
            settings = load_settings(environ={}, start=None).replace(
                cache_dir=str(tmp / "cache"), store_path=str(tmp / f"{path}.sqlite3"), query_timeout=2)
            session = Session(server.url, settings=settings)
            session.run_sql(sql)
            for what in ("query", "interrupt"):
                server.freeze()
                rescued: list[bool] = []
                rescue = threading.Timer(cap, lambda flag=rescued: (flag.append(True), server.thaw()))
                rescue.start()
                fired: list[float] = []
                if what == "interrupt":
                    threading.Timer(0.5, lambda at=fired: (at.append(time.perf_counter()),
                                                          _thread.interrupt_main())).start()
                seconds, exc = _timed(session.run_sql, sql)
                if fired:  # from the interrupt, not from the start of the query
                    seconds = time.perf_counter() - fired[0]
                rescue.cancel()
                server.thaw()
                shown = f">{seconds:.0f} (resumed by the bench)" if rescued else seconds
                label = ("frozen server (SIGSTOP), query_timeout=2" if what == "query"
                         else "frozen server, interrupt: from the interrupt to the return")
                rows.append((f"{label}, {path} path", shown, _outcome(exc)))
                time.sleep(0.3)
                seconds, exc = _timed(session.run_sql, sql)
                rows.append((f"  next query after SIGCONT, {path} path", seconds, _outcome(exc)))
            session.close()
    finally:
        server.stop()
    return rows


def breaker_scenarios(tmp: Path) -> list[tuple[str, float, str]]:
    from vanna_magic import Session
    from vanna_magic.core.config import load_settings

    rows = []
    settings = load_settings(environ={}, start=None).replace(cache_dir=str(tmp / "cache"),
                                                             store_path=str(tmp / "breakers.sqlite3"))
    session = Session(settings=settings.replace(query_timeout=0.05))
    slow = "SELECT count(*) AS n FROM order_items AS a, order_items AS b, order_items AS c"
    for _ in range(3):
        _timed(lambda: session.run_sql(slow))
    seconds, exc = _timed(lambda: session.run_sql("SELECT count(*) AS n FROM orders"))
    rows.append(("cheap query after 3 timeouts of a heavy one", seconds, _outcome(exc)))
    session = Session(settings=settings)
    dead = f"sqlite:///{tmp / 'missing.db'}"
    for _ in range(3):
        _timed(lambda: session.run_sql("SELECT 1 AS one", connection=dead))
    seconds, exc = _timed(lambda: session.run_sql("SELECT count(*) AS n FROM orders"))
    rows.append(("main query after 3 failures of --connection to a dead database", seconds, _outcome(exc)))
    return rows


def _shell(tmp: Path, store: Path):
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython()
    shell.run_line_magic("load_ext", "vanna_magic")
    shell.run_cell(f"%config VannaMagic.cache_dir = {str(tmp / 'cache')!r}")
    shell.run_cell(f"%config VannaMagic.store_path = {str(store)!r}")
    return shell


def _cell(shell, cell: str) -> tuple[float, BaseException | None]:
    start = time.perf_counter()
    result = shell.run_cell(cell)
    return time.perf_counter() - start, result.error_in_exec or result.error_before_exec


def store_and_input_scenarios(tmp: Path) -> list[tuple[str, float, str]]:
    rows = []
    store = tmp / "store.sqlite3"
    shell = _shell(tmp, store)
    session = lambda: shell.magics_manager.registry["VannaMagic"].session  # noqa: E731
    shell.run_cell("%%vsql\nSELECT 1 AS one")
    backup = tmp / "backup.zip"
    shell.run_cell(f"%vanna memory backup {backup}")
    session().store.close()
    store.write_bytes(b"garbage, not SQLite " * 100)
    seconds, exc = _cell(shell, f"%vanna memory restore {backup}")
    kept = len(list(tmp.glob("store.sqlite3.damaged-*")))
    rows.append((f"memory restore over a corrupt store (files kept aside: {kept})", seconds, _outcome(exc)))
    empty = tmp / "empty" / "store.sqlite3"
    empty.parent.mkdir()
    empty.write_bytes(b"")
    os.utime(empty, (time.time() - 3600,) * 2)
    shell.run_cell(f"%config VannaMagic.store_path = {str(empty)!r}")
    answers = [shell.run_cell("%%vsql\nSELECT 1 AS one").result for _ in range(2)]
    told = sum(any("moved aside" in n for n in a.notes) for a in answers if a is not None)
    rows.append((f"0-byte store at start: answers telling it (of 2): {told}", 0.0, "ok"))
    folder = tmp / "read-only"
    folder.mkdir()
    subprocess.run(["chattr", "+i", str(folder)], check=False)
    try:
        shell.run_cell(f"%config VannaMagic.store_path = {str(folder / 'store.sqlite3')!r}")
        answers = [shell.run_cell("%%vsql\nSELECT 1 AS one").result for _ in range(3)]
        told = sum(any("not being kept" in n for n in a.notes) for a in answers if a is not None)
        rows.append((f"read-only store: answers telling it (of 3): {told}", 0.0, "ok"))
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=False)
    files = [tmp / "writable" / "store.sqlite3"]
    shell.run_cell(f"%config VannaMagic.store_path = {str(files[0])!r}")
    shell.run_cell("%%vsql\nSELECT 1 AS one")
    files.append(Path(f"{files[0]}-wal"))
    writable = session().status().health_score  # never -shm: SQLite maps it, and a write to it would be a bus error
    for f in files:
        subprocess.run(["chattr", "+i", str(f)], check=False)
    try:
        score = session().status().health_score
    finally:
        for f in files:
            subprocess.run(["chattr", "-i", str(f)], check=False)
    rows.append((f"status of a store that cannot be written: health score {score} ({writable} writable)", 0.0, "ok"))
    cache_index = tmp / "cache" / "index"
    shell.run_cell("%vanna kb rebuild")
    subprocess.run(["chattr", "+i", str(cache_index)], check=False)
    try:
        seconds, exc = _cell(shell, "%vanna kb rebuild")
    finally:
        subprocess.run(["chattr", "-i", str(cache_index)], check=False)
    rows.append(("kb rebuild with a read-only cache folder", seconds, _outcome(exc)))
    # The bad inputs get a healthy store of their own, and a connection that is not the demo's.
    shell.run_cell(f"%config VannaMagic.store_path = {str(tmp / 'inputs' / 'store.sqlite3')!r}")
    seconds, exc = _cell(shell, "%ask How many orders are in each status?")  # on the demo database
    answer = shell.last_execution_result.result
    rows.append((f"%ask How many orders are in each status? (question seen: {getattr(answer, 'question', None)!r})",
                 seconds, _outcome(exc)))
    import sqlite3

    with sqlite3.connect(tmp / "shop.db") as conn:
        conn.execute("CREATE TABLE orders (id INTEGER, status TEXT)")
    conn.close()
    shell.run_cell(f"%vanna connect sqlite:///{tmp / 'shop.db'}")
    shell.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM orders")
    (tmp / "a-folder").mkdir()
    (tmp / "a-file").write_text("x")
    read_only = tmp / "ro"
    read_only.mkdir()
    subprocess.run(["chattr", "+i", str(read_only)], check=False)
    cells = [f"%vanna memory backup {read_only / 'b.zip'}", f"%vanna memory backup {tmp / 'a-folder'}",
             f"%vanna memory backup {tmp / 'a-file' / 'b.zip'}", f"%vanna rerun {HUGE}",
             f"%vanna export {HUGE} out.csv", f"%vanna history --page {HUGE}",
             f"%%vsql --limit {HUGE}\nSELECT 1 AS one", "%vanna connect ''",
             "%vanna memory cleanup --older-than nan"]
    try:
        for cell in cells:
            url = session().connection_url
            seconds, exc = _cell(shell, cell)
            note = ""
            if cell.startswith("%vanna connect"):
                note = " (switched connection!)" if session().connection_url != url else ""
            if cell.startswith("%vanna memory cleanup") and exc is None:
                note = " (accepted)"
            rows.append((cell.splitlines()[0] + note, seconds, _outcome(exc)))
    finally:
        subprocess.run(["chattr", "-i", str(read_only)], check=False)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=25.0, help="seconds after which a frozen server is resumed")
    args = parser.parse_args()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    tmp = Path(tempfile.mkdtemp(prefix="vanna-reliability-"))
    with contextlib.redirect_stdout(io.StringIO()):  # the cells' own output is not the table
        rows = (model_scenarios(args.cap) + database_scenarios(args.cap, tmp) + breaker_scenarios(tmp)
                + store_and_input_scenarios(tmp))
    width = max(len(r[0]) for r in rows)
    print(f"{'scenario':<{width}}  {'seconds':>8}  outcome")
    for name, seconds, outcome in rows:
        shown = seconds if isinstance(seconds, str) else f"{seconds:.2f}"
        print(f"{name:<{width}}  {shown:>8}  {outcome}")


if __name__ == "__main__":
    main()
