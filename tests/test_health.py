"""Circuit breakers, the health score and the operational modes, with a fake clock (no sleeps)."""

import re
from pathlib import Path

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.errors import (
    CircuitOpenError,
    ConfigurationError,
    DatabaseConnectionError,
    ExecutionError,
    GenerationError,
    QueryCancelledError,
    QueryTimeoutError,
    RateLimitError,
    ReplayMissError,
    VannaError,
)
from vanna_magic.core.ops.health import (
    CircuitBreaker,
    FakeClock,
    is_database_failure,
    is_index_failure,
    is_model_failure,
    operational_mode,
    parse_breakers,
    percentile,
    score,
)

KNOWN_QUESTION = "How many active customers does each region have?"

# (events, expected state): f = failure, s = success, +N = the clock moves N seconds.
# The breaker opens after 3 failures, cools down for 30 s, and closes after 2 trial successes.
BREAKER_CASES = [
    ("f f", "CLOSED"),
    ("f f f", "OPEN"),
    ("f f s f f", "CLOSED"),  # a success resets the count of consecutive failures
    ("f f f +29", "OPEN"),
    ("f f f +30", "HALF_OPEN"),
    ("f f f +30 s", "HALF_OPEN"),
    ("f f f +30 s s", "CLOSED"),
    ("f f f +30 f", "OPEN"),  # a failed trial opens it again, for a new cool-down
    ("f f f +30 f +29", "OPEN"),
    ("f f f +30 f +30 s s", "CLOSED"),
]


@pytest.mark.parametrize("events, expected", BREAKER_CASES)
def test_breaker_states(events, expected):
    clock = FakeClock(1_700_000_000.0)
    breaker = CircuitBreaker("database", failures=3, cooldown=30, successes=2, clock=clock)
    for event in events.split():
        if event == "f":
            breaker.record_failure(DatabaseConnectionError("cannot connect"))
        elif event == "s":
            breaker.record_success()
        else:
            clock.advance(float(event))
    assert breaker.state == expected


def test_an_open_breaker_fails_fast_saying_since_when_and_when_it_retries():
    clock = FakeClock(1_700_000_000.0)  # 2023-11-14 22:13:20 UTC
    breaker = CircuitBreaker("database", failures=1, cooldown=30, clock=clock)
    calls = []
    with pytest.raises(DatabaseConnectionError):
        breaker.call(lambda: calls.append(1) or (_ for _ in ()).throw(DatabaseConnectionError("refused")),
                     is_database_failure)
    with pytest.raises(CircuitOpenError) as info:
        breaker.call(lambda: calls.append(2), is_database_failure)
    assert calls == [1], "an open breaker does not call the part"
    assert info.value.message == (
        "the database is unavailable: it failed 1 times in a row (last: refused); calls fail fast since "
        "2023-11-14 22:13:20 UTC and it will be retried at 2023-11-14 22:13:50 UTC")
    assert info.value.breaker == "database" and info.value.retry_at == 1_700_000_030.0
    assert "%vanna breaker reset database" in info.value.hint


def test_reset_closes_an_open_breaker():
    breaker = CircuitBreaker("model", failures=1, cooldown=60, clock=FakeClock())
    breaker.record_failure(GenerationError("down"))
    breaker.reset()
    assert breaker.state == "CLOSED" and breaker.snapshot()["consecutive_failures"] == 0


FAILURE_CASES = [
    (is_database_failure, DatabaseConnectionError("lost"), True),
    (is_database_failure, QueryTimeoutError("slow"), False),  # the query's own fault, not the server's
    (is_database_failure, QueryCancelledError("stopped"), False),
    (is_database_failure, ExecutionError('no such column: "nope"'), False),  # the user's SQL, not the database
    (is_model_failure, GenerationError("the model is unavailable"), True),
    (is_model_failure, QueryTimeoutError("no answer", stage="generate"), True),
    (is_model_failure, ConnectionError("reset by peer"), True),
    (is_model_failure, ReplayMissError("not recorded"), False),
    (is_model_failure, ConfigurationError("bad setting"), False),
    (is_model_failure, RateLimitError("slow down"), False),
    (is_index_failure, RuntimeError("faiss: corrupt index"), True),
    (is_index_failure, OSError("disk"), True),
    (is_index_failure, VannaError("another stage"), False),
]


@pytest.mark.parametrize("predicate, error, counts", FAILURE_CASES)
def test_which_errors_count_as_failures(predicate, error, counts):
    assert predicate(error) is counts


BAD_BREAKERS = [
    ("database=3", "setting 'breakers' has an invalid entry 'database=3'"),
    ("disk=3/30", "setting 'breakers' has an invalid entry 'disk=3/30'"),
    ("model=0/30", "setting 'breakers' has an invalid entry 'model=0/30'"),
    ("model=3/-1", "setting 'breakers' has an invalid entry 'model=3/-1'"),
]


@pytest.mark.parametrize("spec, message", BAD_BREAKERS)
def test_bad_breaker_settings_are_refused(spec, message):
    with pytest.raises(ConfigurationError) as info:
        parse_breakers(spec)
    assert info.value.message == message and "PART=FAILURES/COOLDOWN_SECONDS" in info.value.hint


def test_breaker_defaults_and_overrides():
    assert parse_breakers("") == {"database": (3, 30.0), "model": (3, 60.0), "index": (5, 60.0)}
    assert parse_breakers("index=2/5")["index"] == (2, 5.0)


MODE_CASES = [
    (dict(database=True, configured=True, model=True, index=True), "FULL_OPERATIONAL", ()),
    (dict(database=True, configured=True, model=False, index=True), "LIMITED_AI",
     ("SQL generation for new questions", "repairs")),
    (dict(database=True, configured=False, model=True, index=False), "LIMITED_AI",
     ("semantic search", "retrieved examples in prompts", "answers without a model")),
    (dict(database=True, configured=True, model=False, index=False), "READ_ONLY",
     ("questions (%%ask)", "SQL generation", "semantic search")),
    (dict(database=False, configured=False, model=True, index=True), "CONFIGURATION",
     ("questions", "SQL", "schema", "history rerun and export")),
    (dict(database=False, configured=True, model=True, index=True), "EMERGENCY",
     ("questions", "SQL", "schema", "history rerun and export")),
]


@pytest.mark.parametrize("parts, mode, unavailable", MODE_CASES)
def test_operational_modes(parts, mode, unavailable):
    result = operational_mode(**parts)
    assert result.name == mode and result.unavailable == unavailable


@pytest.mark.parametrize("parts, expected", [
    ({"database": True, "model": True, "index": True, "store": True}, 100),
    ({"database": True, "model": False, "index": True, "store": True}, 70),
    ({"database": False, "model": True, "index": True, "store": True}, 60),
    ({"database": True, "model": True, "index": False, "store": False}, 70),
    ({}, 0),
])
def test_health_score_weights(parts, expected):
    assert score(parts) == expected


def test_percentiles():
    assert percentile([], 50) == 0.0
    assert percentile(list(range(1, 101)), 50) == 50 and percentile(list(range(1, 101)), 95) == 95


@pytest.fixture
def clock():
    return FakeClock(1_700_000_000.0)


@pytest.fixture
def make_session(session_factory, tmp_path, clock):
    def make(model=None, **overrides):
        session = session_factory(model=model, store_path=str(tmp_path / "store.sqlite3"), **overrides)
        session.clock = clock
        session.health.clock = clock
        for breaker in session.health.breakers.values():
            breaker._clock = clock
        return session
    return make


def test_full_operational_answers_with_the_model(make_session):
    session = make_session(FakeModel(["SELECT COUNT(*) AS n FROM orders"]))
    status = session.status()
    assert status.mode == "FULL_OPERATIONAL" and status.health_score == 100 and status.unavailable == ()
    assert session.ask("How many orders are there?").status == "ok"


def test_limited_ai_without_a_model_is_reported(make_session):
    status = make_session().status()
    assert status.mode == "LIMITED_AI" and status.health_score == 70
    assert status.mode_reason == "no language model is configured"


def test_model_failures_open_its_breaker_and_known_questions_still_answer(make_session, clock):
    down = GenerationError("the model fake/model is unavailable")
    model = FakeModel([down, down, down, "SELECT COUNT(*) AS n FROM orders"])
    session = make_session(model)
    for _ in range(3):
        with pytest.raises(GenerationError):
            session.ask("How many orders are there?")
    assert session.health.breakers["model"].state == "OPEN"
    status = session.status()
    assert status.mode == "LIMITED_AI" and status.health_score == 70
    assert status.mode_reason.startswith("the model is unavailable")
    answer = session.ask(KNOWN_QUESTION)  # LIMITED_AI: a knowledge-base example answers
    assert answer.source == "knowledge_base" and answer.status == "ok"
    assert answer.notes[-1].startswith("the model is unavailable (the model fake/model is unavailable)")
    with pytest.raises(CircuitOpenError) as info:
        session.ask("How many orders are there?")
    assert "it will be retried at 2023-11-14 22:14:20 UTC" in info.value.message
    assert len(model.calls) == 3, "no call while the breaker is open"
    clock.advance(60)
    assert session.ask("How many orders are there?").status == "ok"  # the trial call succeeds
    assert session.health.breakers["model"].state == "CLOSED" and session.status().mode == "FULL_OPERATIONAL"


def test_an_answer_without_sql_does_not_count_against_the_model(make_session):
    model = FakeModel(["I cannot help with that."] * 9)
    session = make_session(model, max_repairs=2)
    for _ in range(3):
        with pytest.raises(GenerationError):
            session.ask("Tell me a joke")
    assert session.health.breakers["model"].state == "CLOSED"


def test_sql_errors_in_the_users_query_never_open_the_database_breaker(make_session):
    session = make_session()
    for _ in range(5):
        with pytest.raises(ExecutionError):
            session.run_sql("SELECT nope FROM orders")
    assert session.health.database(session.database().url).state == "CLOSED"


def test_read_only_mode_refuses_questions_but_runs_sql(make_session):
    session = make_session(FakeModel([]))
    session.health.breakers["model"].record_failure(GenerationError("down"))
    for breaker in ("model", "index"):
        for _ in range(session.health.breakers[breaker].failures):
            session.health.breakers[breaker].record_failure(RuntimeError("broken"))
    with pytest.raises(VannaError) as info:
        session.ask(KNOWN_QUESTION)
    assert info.value.message.startswith("read-only mode: the model is unavailable since 2023-11-14 22:13:20 UTC")
    assert info.value.message.endswith("and the knowledge-base index is unavailable, so questions cannot be answered")
    assert session.run_sql("SELECT COUNT(*) AS n FROM orders").status == "ok"


def test_index_failures_degrade_retrieval_then_open_its_breaker(make_session, monkeypatch):
    session = make_session(FakeModel(["SELECT COUNT(*) AS n FROM orders"] * 6))

    def broken(*args, **kwargs):
        raise RuntimeError("Error in faiss::read_index: file is corrupt")

    monkeypatch.setattr(session.retriever, "retrieve", broken)
    for _ in range(5):
        answer = session.ask("How many orders are there?")
        assert answer.status == "ok" and answer.retrieved.examples == [] and answer.retrieved.tables
        assert answer.notes[0].startswith("the knowledge-base index is unavailable (RuntimeError: Error in faiss")
    assert session.health.breakers["index"].state == "OPEN"
    answer = session.ask("How many orders are there?")  # fails fast, still answers
    assert answer.status == "ok" and "index is unavailable (the index is unavailable" in answer.notes[0]


def test_emergency_when_the_database_is_gone_and_recovery_when_it_returns(make_session, tmp_path, clock):
    import sqlite3

    path = tmp_path / "shop.db"
    session = make_session(connection=f"sqlite:///{path}")
    for _ in range(3):
        with pytest.raises(DatabaseConnectionError):
            session.run_sql("SELECT 1 AS one")
    with pytest.raises(CircuitOpenError) as info:
        session.run_sql("SELECT 1 AS one")
    assert info.value.message.startswith("the database is unavailable: it failed 3 times in a row (last: cannot "
                                         f"connect to sqlite:///{path}")
    status = session.status()
    assert status.mode == "EMERGENCY" and status.health_score <= 60
    assert status.mode_reason.startswith("the database is unreachable: the database is unavailable")
    with pytest.raises(CircuitOpenError):
        session.ask("How many orders are there?")
    with sqlite3.connect(path) as conn:  # the database comes back
        conn.execute("CREATE TABLE t (x INTEGER)")
    clock.advance(30)
    assert session.run_sql("SELECT 1 AS one").status == "ok"
    assert session.health.database(session.database().url).state == "CLOSED"
    assert session.status().mode in ("LIMITED_AI", "FULL_OPERATIONAL")


def test_breaker_reset_and_status_through_the_magic(shell, tmp_path):
    shell.run_cell(f"%config VannaMagic.store_path = {str(tmp_path / 'store.sqlite3')!r}")
    magic = shell.magics_manager.registry["VannaMagic"]
    breaker = magic.session.health.breakers["model"]
    for _ in range(3):
        breaker.record_failure(GenerationError("down"))
    status = shell.run_cell("%vanna status").result
    assert re.search(r"breaker model: +OPEN since", status.text()) and "health:" in status.text()
    assert "<b style='color:" in status._repr_html_() and "health" in status._repr_html_()
    shell.run_cell("%vanna breaker reset model")
    assert breaker.state == "CLOSED"
    shell.run_cell("%vanna breaker reset")
    metrics = shell.run_cell("%vanna metrics").result
    assert {"requests", "errors", "latency", "memory_mb", "uptime_s", "tokens", "cost", "last_24h"} <= set(metrics)
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="invalid choice: 'disk'"):
        shell.run_cell("%vanna breaker reset disk")


def test_breakers_are_configurable(session_factory, tmp_path):
    session = session_factory(breakers="database=1/5", breaker_successes=3, store_path=str(tmp_path / "s.sqlite3"))
    database = session.health.breakers["database"]
    assert (database.failures, database.cooldown, database.successes) == (1, 5.0, 3)
    assert session.health.breakers["model"].failures == 3
    assert Path(session.store.path).name == "s.sqlite3"


def test_configuration_mode_when_no_database_can_be_had_says_how_to_connect(session_factory, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    session = session_factory(cache_dir=str(tmp_path / "a-file" / "cache"), store_path=str(tmp_path / "s.sqlite3"))
    status = session.status()
    assert status.mode == "CONFIGURATION" and status.database == "unreachable"
    assert status.mode_reason.startswith("no database is connected: cannot build the demo database in")
    assert status.next_step.startswith("Connect a database: %vanna connect postgresql://")
    from vanna_magic.jupyter.commands.status import StatusReport

    assert re.search(r"next step: +Connect a database", StatusReport(status).text())
    with pytest.raises(ConfigurationError, match="cannot build the demo database"):
        session.run_sql("SELECT 1")


def test_timeouts_of_the_users_own_query_never_open_the_database_breaker(make_session):
    session = make_session(query_timeout=0.05)
    slow = "SELECT count(*) AS n FROM order_items AS a, order_items AS b, order_items AS c"
    for _ in range(4):
        with pytest.raises(QueryTimeoutError):
            session.run_sql(slow)
    assert session.health.database(session.database().url).state == "CLOSED"
    assert session.run_sql("SELECT count(*) AS n FROM orders").status == "ok"  # cheap queries still run
    assert session.status().mode != "EMERGENCY"


def test_failures_of_another_connection_never_open_the_main_ones_breaker(make_session, tmp_path):
    session = make_session()
    dead = f"sqlite:///{tmp_path / 'missing.db'}"
    for _ in range(3):
        with pytest.raises(DatabaseConnectionError):
            session.run_sql("SELECT 1 AS one", connection=dead)
    with pytest.raises(CircuitOpenError):  # that connection's own breaker opened...
        session.run_sql("SELECT 1 AS one", connection=dead)
    assert session.health.database(session.database().url).state == "CLOSED"  # ...and only that one
    assert session.run_sql("SELECT count(*) AS n FROM orders").status == "ok"
    assert session.status().mode != "EMERGENCY"


def test_database_breakers_are_keyed_by_the_url_without_its_password(clock):
    from vanna_magic.core.ops.health import Health

    health = Health(clock=clock)
    a = health.database("postgresql://ann:one@db/sales")
    assert health.database("postgresql://ann:two@db/sales") is a  # the same server, whatever the secret
    assert health.database("postgresql://ann:one@db/other") is not a
    health.bound("postgresql://ann:one@db/sales").breakers["database"].record_failure(OSError("gone"))
    assert a.consecutive_failures == 1
    assert health.bound("postgresql://ann@db/other").breakers["database"].consecutive_failures == 0
