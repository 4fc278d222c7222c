"""The SQLite store: history, audit, rate limits; several processes at once; a store that cannot be written."""

import multiprocessing
import os
import subprocess
from pathlib import Path

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.answer import Answer
from vanna_magic.core.errors import RateLimitError, VannaError
from vanna_magic.core.ops.health import FakeClock
from vanna_magic.core.ops.store import Store


def _answer(question="How many orders?", status="ok", **fields):
    return Answer(question=question, sql="SELECT 1", executed_sql="SELECT 1 LIMIT 1000", status=status,
                  timings={"generate": 0.5, "execute": 0.01}, model="fake/model", prompt_tokens=100,
                  completion_tokens=20, cost=0.001, **fields)


@pytest.fixture
def clock():
    return FakeClock(1_700_000_000.0)


@pytest.fixture
def store(tmp_path, clock):
    store = Store(tmp_path / "store.sqlite3", clock=clock)
    yield store
    store.close()


def test_the_store_uses_wal(store):
    assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_history_records_pages_and_filters(store, clock):
    ids = [store.record_query(_answer(f"q{i}", status="error" if i % 3 == 0 else "ok", error="boom" if i % 3 == 0
                                      else None), kind="question", stage="execute" if i % 3 == 0 else None,
                              user="ann") for i in range(25)]
    assert ids == list(range(1, 26))
    rows, total = store.history(page=1, per_page=10)
    assert total == 25 and [r["question"] for r in rows[:2]] == ["q24", "q23"]
    rows, total = store.history(page=3, per_page=10)
    assert len(rows) == 5 and rows[-1]["question"] == "q0"
    errors, total = store.history(status="error", per_page=100)
    assert total == 9 and {r["stage"] for r in errors} == {"execute"}
    record = store.get(2)
    assert record["timings"] == {"generate": 0.5, "execute": 0.01} and record["total_ms"] == 510.0
    assert (record["sql"], record["executed_sql"], record["model"], record["user"]) == (
        "SELECT 1", "SELECT 1 LIMIT 1000", "fake/model", "ann")


def test_an_unknown_id_is_refused(store):
    with pytest.raises(VannaError) as info:
        store.get(7)
    assert info.value.message == "there is no query 7 in the history"
    assert info.value.hint == "The history is empty: ask a question first."
    store.record_query(_answer(), kind="question")
    with pytest.raises(VannaError) as info:
        store.get(7)
    assert info.value.hint == "%vanna history lists them (ids 1 to 1)."


def test_audit_events(store):
    assert store.record_audit({"kind": "firewall", "rule": "read_only", "sql": "DELETE FROM t"}, user="bob") == 1
    [event] = store.audit()
    assert event["kind"] == "firewall" and event["user"] == "bob" and event["detail"]["rule"] == "read_only"


def test_error_rate_usage_and_cleanup(store, clock):
    store.record_query(_answer(), kind="question", user="ann")
    clock.advance(2 * 86400)
    store.record_query(_answer(status="error"), kind="question", user="ann")
    store.record_query(_answer(), kind="question", user="bob")
    assert store.error_rate() == {"attempts": 2, "errors": 1, "error_rate": 0.5}
    usage = store.usage(days=30)
    assert usage[0] == {"user": "ann", "day": "2023-11-16", "questions": 1, "success_rate": 0.0, "tokens": 120,
                        "cost": 0.001}
    assert [(u["user"], u["day"]) for u in usage] == [("ann", "2023-11-16"), ("bob", "2023-11-16"),
                                                      ("ann", "2023-11-14")]
    assert store.cleanup(older_than_days=1) == 1 and store.count() == 2


def test_rate_limit_is_per_user_and_shared_through_the_file(tmp_path, clock):
    first = Store(tmp_path / "s.sqlite3", clock=clock)
    second = Store(tmp_path / "s.sqlite3", clock=clock)  # another kernel on the same file
    for i in range(5):
        (first if i % 2 else second).acquire("ann", limit=5)
    second.acquire("bob", limit=5)
    clock.advance(20)
    with pytest.raises(RateLimitError) as info:
        first.acquire("ann", limit=5)
    assert info.value.message == "ann has made 5 model calls in the last 60 s, the limit (rate_limit)"
    assert info.value.retry_after == 40.0
    assert info.value.hint == "Retry in 40 s (at 22:14:20 UTC), or raise VANNA_MAGIC_RATE_LIMIT."
    clock.advance(40)
    first.acquire("ann", limit=5)
    first.close()
    second.close()


def test_session_rate_limits_calls_to_a_provider(session_factory, tmp_path, monkeypatch):
    from types import SimpleNamespace

    from vanna_magic.core.generate.model import LiteLLMModel

    model = LiteLLMModel("openai/gpt-4o-mini", api_key="sk-test", retries=0)
    reply = SimpleNamespace(choices=[SimpleNamespace(message=SimpleNamespace(content="SELECT 1 AS one"))],
                            usage=SimpleNamespace(prompt_tokens=10, completion_tokens=3))
    calls = []
    monkeypatch.setattr(model, "_call", lambda litellm, messages, temperature=None, timeout=None:
                        calls.append(1) or reply)
    session = session_factory(model=model, rate_limit=2, store_path=str(tmp_path / "s.sqlite3"))
    assert session.ask("How many orders are there?").status == "ok"
    assert session.ask("How many customers are there?").status == "ok"
    with pytest.raises(RateLimitError) as info:
        session.ask("How many products are there?")
    assert "model calls in the last 60 s, the limit (rate_limit)" in info.value.message and len(calls) == 2
    assert session.store.get(3)["status"] == "error" and session.store.get(3)["stage"] == "generate"
    assert session.health.breakers["model"].state == "CLOSED", "our own limit is not the model failing"


def test_session_records_every_attempt(session_factory, tmp_path):
    session = session_factory(model=FakeModel(["SELECT COUNT(*) AS n FROM orders", "no sql here"] * 3),
                              store_path=str(tmp_path / "s.sqlite3"), max_repairs=0)
    answer = session.ask("How many orders are there?")
    assert answer.history_id == 1
    with pytest.raises(VannaError):
        session.ask("What is the meaning of life?")
    with pytest.raises(VannaError):
        session.run_sql("DELETE FROM orders")
    rows, total = session.store.history()
    assert total == 3
    assert [(r["kind"], r["status"], r["stage"]) for r in rows] == [
        ("sql", "error", "firewall"), ("question", "error", "generate"), ("question", "ok", None)]
    assert rows[2]["rows"] == 1 and rows[2]["model"] == "fake/model" and rows[2]["prompt_tokens"] > 0
    assert rows[2]["executed_sql"].endswith("LIMIT 1000") and rows[0]["sql"] == "DELETE FROM orders"
    metrics = session.health.metrics.snapshot()
    assert metrics["requests"] == 3 and metrics["errors"] == 2 and metrics["latency"]["generate"]["count"] == 2


def _write_many(path: str, worker: int, count: int) -> None:
    store = Store(Path(path))
    for i in range(count):
        assert store.record_query(_answer(f"worker {worker} question {i}"), kind="question",
                                  user=f"w{worker}") is not None, store.problem
        assert store.record_audit({"kind": "test", "worker": worker, "i": i}) is not None, store.problem
    store.close()


def test_eight_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_many, args=(path, worker, 50)) for worker in range(8)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * 8
    store = Store(Path(path))
    assert store.count("queries") == 400 and store.count("audit") == 400
    questions = {r["question"] for r in store.history(per_page=1000)[0]}
    assert questions == {f"worker {w} question {i}" for w in range(8) for i in range(50)}
    store.close()


def _read_only(folder: Path, on: bool) -> None:
    """Make ``folder`` read-only for this process: permissions, or the immutable flag for root (who ignores them)."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o555 if on else 0o755)
        return
    out = subprocess.run(["chattr", "+i" if on else "-i", str(folder)], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.fail(f"cannot make {folder} read-only as root (chattr: {out.stderr.strip()})", pytrace=False)


@pytest.mark.parametrize("existing", [False, True])
def test_a_read_only_store_folder_never_stops_a_query(session_factory, tmp_path, existing):
    folder = tmp_path / "history"
    folder.mkdir()
    store_path = folder / "store.sqlite3"
    if existing:
        before = Store(store_path)
        before.record_query(_answer("kept from before"), kind="question")
        before.close()
        for suffix in ("-wal", "-shm"):
            assert not Path(str(store_path) + suffix).exists()
    _read_only(folder, True)
    try:
        session = session_factory(store_path=str(store_path))
        answer = session.run_sql("SELECT COUNT(*) AS n FROM orders")
        assert answer.status == "ok" and answer.row_count == 1 and answer.history_id is None
        assert answer.notes[-1].startswith(f"history is not being kept: cannot open {store_path} (")
        status = session.status()
        assert status.store.kept is False and status.health_score == 55
        with pytest.raises(VannaError) as info:
            session.store.history()
        assert info.value.message.startswith("the history store is unavailable: cannot open")
        with pytest.raises(RateLimitError):  # the limit still holds, in memory
            for _ in range(11):
                session.store.acquire("ann", limit=10)
    finally:
        _read_only(folder, False)
    answer = session.run_sql("SELECT COUNT(*) AS n FROM orders")  # the folder is writable again
    assert answer.history_id is not None and not answer.notes and session.store.available
    session.close()
    if existing:
        after = Store(store_path)
        assert [r["question"] for r in after.history()[0]] == [None, "kept from before"]  # the new one, then the old
        after.close()
