"""``Session`` as the front ends' one door: each method a front end calls, and the typed value it returns."""

import sqlite3

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.errors import ConfigurationError, DatabaseConnectionError, VannaError
from vanna_magic.core.results import ConnectionInfo, HistoryEntry, PolicyCheck


@pytest.fixture
def tiny(tmp_path):
    """A SQLite file with two tables."""
    path = tmp_path / "tiny.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        conn.execute("CREATE TABLE owners (id INTEGER PRIMARY KEY)")
    return f"sqlite:///{path}"


@pytest.fixture
def session(session_factory, tmp_path):
    return session_factory(store_path=str(tmp_path / "store.sqlite3"))


def test_connect_switches_and_stays_over_new_settings_until_another_connection_is_named(session, tiny):
    info = session.connect(tiny)
    assert info == ConnectionInfo(tiny, "sqlite", 2, None)
    assert session.configure(session.settings.replace(max_rows=5)).settings.connection == tiny
    assert session.settings.max_rows == 5
    assert {t.name for t in session.schema()} == {"pets", "owners"}
    session.configure(connection="sqlite:///elsewhere.db")
    assert session.settings.connection == "sqlite:///elsewhere.db"


def test_a_failed_connect_keeps_the_current_connection(session, tiny, tmp_path):
    session.connect(tiny)
    with pytest.raises(DatabaseConnectionError):
        session.connect(f"sqlite:///{tmp_path / 'missing' / 'none.db'}")
    assert session.settings.connection == tiny
    assert session.configure(session.settings).settings.connection == tiny


def test_connect_by_name_says_the_name_and_hides_the_password(session_factory, tmp_path, tiny):
    connections = tmp_path / "connections.toml"
    connections.write_text(f'[connections.pets]\nurl = "{tiny}"\ndescription = "the pets"\n'
                           '[connections.wh]\nurl = "postgresql://ann@db/sales"\npassword = "${WH_PW}"\n')
    session = session_factory(connections_file=str(connections))
    assert session.connect("pets") == ConnectionInfo(tiny, "sqlite", 2, "pets")
    found = session.connections()
    assert found.file == str(connections) and [c.name for c in found.named] == ["pets", "wh"]
    pets, wh = found.named
    assert pets.current and pets.description == "the pets" and not pets.password_set
    assert not wh.current and wh.password_set and wh.url == "postgresql://ann@db/sales"


def test_test_connection_reads_the_catalog_without_switching(session, tiny):
    assert session.test_connection(tiny) == ConnectionInfo(tiny, "sqlite", 2, None)
    assert session.is_demo and session.dialect == "sqlite"


def test_check_policy_returns_the_verdict_without_running(session):
    check = session.check_policy("DELETE FROM orders")
    assert check == PolicyCheck(None, "sqlite", False, None, "read_only", check.message, check.hint, ())
    accepted = session.check_policy("SELECT name FROM customers")
    assert accepted.allowed and accepted.sql.endswith("LIMIT 1000")
    assert session.history(page=1).total == 0, "nothing ran"


def test_test_model_sends_one_message(session):
    reply = session.test_model(FakeModel(["  OK \n"], name="fake/model"))
    assert (reply.model, reply.text) == ("fake/model", "OK") and reply.seconds >= 0


def test_history_pages_entries_rerun_and_usage(session):
    session.run_sql("SELECT 1 AS one")
    with pytest.raises(VannaError):
        session.run_sql("SELECT nope FROM orders")
    page = session.history(per_page=1)
    assert (page.page, page.pages, page.total, page.kept) == (1, 2, 2, True)
    assert [e.status for e in page.entries] == ["error"]
    assert session.history(status="ok").entries[0].sql == "SELECT 1 AS one"
    with pytest.raises(VannaError, match="page 3 does not exist: the history has 2 attempts in 2 pages"):
        session.history(page=3, per_page=1)
    entry = session.history_entry(1)
    assert isinstance(entry, HistoryEntry) and entry.kind == "sql" and entry.status == "ok"
    assert session.rerun(1).history_id == 3
    assert session.uses()["sql"] == 3
    assert session.usage(1)[0]["questions"] == 3


def test_metrics_count_requests_and_read_the_last_day(session):
    session.run_sql("SELECT 1 AS one")
    metrics = session.metrics()
    assert metrics.requests == 1 and metrics.errors == 0 and metrics.latency["total"].count == 1
    assert metrics.last_24h.attempts == 1 and metrics.to_dict()["last_24h"] == {
        "attempts": 1, "errors": 0, "error_rate": 0.0}


def test_reset_breakers_closes_them(session):
    breaker = session.health.breakers["model"]
    for _ in range(breaker.failures):
        breaker.record_failure(OSError("down"))
    assert session.reset_breakers("model") == {"model": "CLOSED"}
    assert session.reset_breakers() == {"database": "CLOSED", "model": "CLOSED", "index": "CLOSED"}
    with pytest.raises(VannaError, match="there is no breaker named 'disk'"):
        session.reset_breakers("disk")


def test_follow_up_and_reset_conversation(session):
    assert session.follow_up().turns == 0
    session.run_sql("SELECT 1 AS one")
    follow_up = session.follow_up()
    assert (follow_up.turns, follow_up.most) == (1, 3) and "SELECT 1 AS one" in follow_up.text
    assert follow_up.tokens > 0
    assert session.reset_conversation() == 1 and session.follow_up().turns == 0


def test_knowledge_problems_are_new_once(session_factory, tmp_path):
    kb = tmp_path / "kb"
    (kb / "examples").mkdir(parents=True)
    (kb / "examples" / "broken.sql").write_text("-- Question: Which orders are broken?\nSELECT FROM WHERE (\n")
    session = session_factory(knowledge_base=str(kb))
    problems = session.knowledge_problems()
    assert len(problems) == 1 and "broken.sql:2:" in problems[0]
    assert session.knowledge_problems(new=True) == problems
    assert session.knowledge_problems(new=True) == [] and session.knowledge_problems() == problems


def test_docs_and_search_read_the_knowledge_base(session):
    assert "revenue" in session.docs("revenue")
    hits = session.search("revenue", limit=3, kinds=["metric"])
    assert hits[0].name == "revenue" and {h.kind for h in hits} == {"metric"}


def test_import_knowledge_from_the_database_comments(session, tmp_path):
    done = session.import_knowledge("comments", tmp_path / "kb")
    assert [f.rsplit("/", 1)[-1] for f in done.files] == ["comments.yaml"]
    assert done.knowledge_base.definitions > 0 and done.knowledge_base.problems == ()
    with pytest.raises(ConfigurationError, match="there is no importer for 'csv'"):
        session.import_knowledge("csv", tmp_path / "kb")


def test_memory_stats_backup_restore_and_cleanup(session, tmp_path):
    session.run_sql("SELECT 1 AS one")
    assert session.memory_stats()["queries"] == 1
    backup = session.memory_backup(tmp_path / "backup.zip")
    session.run_sql("SELECT 2 AS two")
    assert session.memory_restore(backup)["counts"]["queries"] == 1
    assert session.history().total == 1
    assert session.memory_cleanup(1) == 0
