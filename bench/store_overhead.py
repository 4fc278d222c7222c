"""What keeping history costs: the store's write beside the query it records, and writes from 8 kernels at once.

Baselines measured in the same run:

- ``Database.execute`` of the statement alone (no firewall, no breakers, no store);
- ``Session.run_sql`` with the store's folder read-only (firewall and breakers, no history written).

Then ``Session.run_sql`` with history kept, ``Store.record_query`` alone, and the wall time per write
of 8 processes writing 50 records each into one file. Usage: ``python bench/store_overhead.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vanna_magic import Session  # noqa: E402
from vanna_magic.core.answer import Answer  # noqa: E402
from vanna_magic.core.config import load_settings  # noqa: E402
from vanna_magic.core.ops.store import Store  # noqa: E402

SQL = "SELECT status, COUNT(*) AS orders FROM orders GROUP BY status"


def _medians_ms(actions: list, runs: int) -> list[float]:
    """Median time of each action, measured in interleaved rounds so load from elsewhere hits all alike."""
    for action in actions:
        action()  # warm up
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(runs):
        for action, spent in zip(actions, times):
            start = time.perf_counter()
            action()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) * 1000 for spent in times]


def _writer(path: str, count: int, start, times) -> None:
    store = Store(Path(path))
    answer = Answer(question="q", sql=SQL, status="ok", timings={"execute": 0.001})
    start.wait()  # every process is up before the first write: the time is of writing, not of starting
    began = time.perf_counter()
    for _ in range(count):
        assert store.record_query(answer, kind="sql") is not None, store.problem
    times.put((began, time.perf_counter()))
    store.close()


def _concurrent_ms_per_write(folder: Path, processes: int, count: int) -> float:
    path = str(folder / "shared.sqlite3")
    context = multiprocessing.get_context("fork")  # perf_counter is comparable across forked processes
    start, times = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=_writer, args=(path, count, start, times)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    spans = [times.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join()
    assert all(w.exitcode == 0 for w in workers)
    assert Store(Path(path)).count() == processes * count
    elapsed = max(end for _, end in spans) - min(began for began, _ in spans)
    return elapsed * 1000 / (processes * count)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        settings = load_settings(environ={}, start=None).replace(cache_dir=str(folder / "cache"))
        kept = Session(settings=settings, store_path=str(folder / "kept" / "store.sqlite3"))
        (folder / "not-kept").write_text("a file where the store's folder should be")
        dropped = Session(settings=settings, store_path=str(folder / "not-kept" / "store.sqlite3"))
        db = kept.database()
        store = kept.store
        answer = kept.run_sql(SQL)
        names = ["baseline: Database.execute alone", "baseline: Session.run_sql, history not kept",
                 "Session.run_sql, history kept", "Store.record_query alone"]
        medians = _medians_ms([lambda: db.execute(SQL), lambda: dropped.run_sql(SQL), lambda: kept.run_sql(SQL),
                               lambda: store.record_query(answer, kind="sql")], runs)
        rows = list(zip(names, medians))
        rows.append(("8 processes x 50 writes, wall ms per write", _concurrent_ms_per_write(folder, 8, 50)))
        assert dropped.store.available is False
        kept.close()
        dropped.close()
    base = rows[0][1]
    print(f"{'measurement':<48}{'median ms':>12}{'x baseline':>12}")
    for name, value in rows:
        print(f"{name:<48}{value:>12.3f}{value / base:>12.2f}")


if __name__ == "__main__":
    main()
