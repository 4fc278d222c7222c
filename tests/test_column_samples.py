"""Column samples (``column_samples``): a few stored values beside each column of the tables a prompt shows."""

from __future__ import annotations

import re
import sqlite3
import threading

import pytest
from sqlalchemy import event

from tests.fakes import FakeModel
from vanna_magic.core.answer import Retrieved
from vanna_magic.core.config import Settings, load_settings
from vanna_magic.core.data.schema import Column, Table
from vanna_magic.core.errors import ConfigurationError
from vanna_magic.core.generate.prompt import build_prompt
from vanna_magic.core.generate.samples import SCAN_ROWS

QUESTION = "How many places are there in Texas?"
LONG = "A long description of the place, its history, its people and what it is known for. "
# Every kind of column: short text, number, date, boolean, long text, a column of NULLs, a key.
PLACES = [("texas", 36_000_000, "1990-01-01", 1, LONG * 2, None)] * 5 + [
    ("ohio", 1, "2023-12-31", 0, LONG * 3, None)] * 3 + [
    ("utah", 500, "2001-06-15", 1, LONG, None)] * 2 + [("o'hare", 7, "2010-10-10", 0, LONG, None)]
EXPECTED = {
    "state_name": "'texas', 'ohio', 'utah', ...",
    "population": "1 to 36000000",
    "founded": "1990-01-01 to 2023-12-31",
}


def _places_file(path) -> str:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE places (place_id INTEGER PRIMARY KEY, state_name TEXT, population INTEGER, "
                 "founded DATE, active BOOLEAN, notes TEXT, unused TEXT)")
    conn.executemany("INSERT INTO places (state_name, population, founded, active, notes, unused) "
                     "VALUES (?, ?, ?, ?, ?, ?)", PLACES)
    conn.execute("CREATE TABLE visits (visit_id INTEGER PRIMARY KEY, place_id INTEGER REFERENCES places (place_id), "
                 "secret_code TEXT, guest TEXT, fee REAL)")
    conn.executemany("INSERT INTO visits (place_id, secret_code, guest, fee) VALUES (?, ?, ?, ?)",
                     [(1 + i % 11, f"hush-{i}", f"guest-{i % 3}", 2.5 * i) for i in range(30)])
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def _notes(prompt: str, table: str) -> dict[str, str]:
    """The ``-- column: note`` lines under one table's CREATE TABLE line."""
    block = prompt.split(f"CREATE TABLE {table} (", 1)[1].split("\nCREATE TABLE", 1)[0].split("\n\n", 1)[0]
    return dict(re.findall(r"^-- (\w+): (.*)$", block, re.MULTILINE))


def _sampling(engine) -> list[str]:
    """A list that fills with the sampling statements ``engine`` runs."""
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: seen.append(statement) if str(SCAN_ROWS) in statement else None)
    return seen


def test_each_kind_of_column_gets_its_comment_on_sqlite(tmp_path, session_factory):
    model = FakeModel(lambda messages: "SELECT COUNT(*) FROM places WHERE state_name = 'texas'")
    session = session_factory(model=model, connection=_places_file(tmp_path / "p.sqlite"), column_samples=3)
    answer = session.ask(QUESTION)
    assert answer.status == "ok" and answer.df.iloc[0, 0] == 5
    notes = _notes(model.calls[0][1]["content"], "places")
    assert notes == {**EXPECTED, "unused": "always NULL"}  # no key, boolean or long text
    session.configure(column_samples=5)
    session.ask(QUESTION)
    assert _notes(model.calls[1][1]["content"], "places")["state_name"] == "'texas', 'ohio', 'utah', 'o''hare'"
    session.configure(column_samples=1)
    session.ask(QUESTION)
    assert _notes(model.calls[2][1]["content"], "places")["state_name"] == "'texas', ..."


def test_samples_only_add_comment_lines_and_are_off_by_default(tmp_path, session_factory):
    url = _places_file(tmp_path / "p.sqlite")
    assert Settings().column_samples == 0
    prompts = []
    for overrides in ({}, {"column_samples": 0}, {"column_samples": 2}):
        model = FakeModel(lambda messages: "SELECT 1")
        session = session_factory(model=model, connection=url, **overrides)
        sampled = _sampling(session.database().engine)
        answer = session.ask(QUESTION)
        assert bool(sampled) == bool(answer.retrieved.samples) == bool(overrides.get("column_samples"))
        prompts.append(model.calls[0])
    assert prompts[0] == prompts[1]  # off: the very same messages
    with_samples = prompts[2][1]["content"]
    assert with_samples != prompts[0][1]["content"]
    kept = "\n".join(line for line in with_samples.splitlines() if not re.match(r"-- \w+: ", line))
    assert kept == prompts[0][1]["content"] and prompts[2][0] == prompts[0][0]


def test_long_values_are_cut(tmp_path):
    from vanna_magic.core.generate.samples import ColumnSample

    sample = ColumnSample("text", ("x" * 31, "short"))
    assert sample.note(5, "postgres") == "'" + "x" * 30 + "'..., 'short'"
    assert ColumnSample("text", ("it's",)).note(5, "mysql") == "'it''s'"


POLICY = """
roles:
  clerk:
    columns:
      deny: [visits.secret_code]
      mask:
        places.state_name: "'***'"
    rows:
      visits: "fee < 10"
"""


def test_hidden_masked_and_row_filtered_values_are_never_read_nor_sent(tmp_path, session_factory):
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    model = FakeModel(lambda messages: "SELECT COUNT(*) FROM visits")
    session = session_factory(model=model, connection=_places_file(tmp_path / "p.sqlite"), policy_file=str(policy),
                              role="clerk", column_samples=5, value_linking=False)
    sampled = _sampling(session.database().engine)
    answer = session.ask("How many visits per place and guest, with their fee and secret code?")
    assert answer.status == "ok"
    sent = "\n".join(m["content"] for call in model.calls for m in call)
    assert "CREATE TABLE visits" in sent and "CREATE TABLE places" in sent
    for secret in ("texas", "ohio", "o''hare", "hush-", "guest-", "72.5"):
        assert secret not in sent
    assert _notes(sent, "places") == {"population": "1 to 36000000", "founded": "1990-01-01 to 2023-12-31",
                                      "unused": "always NULL"}
    assert _notes(sent, "visits") == {}  # its rows are filtered for this role: its values are not the role's
    assert sampled and not any(name in s for s in sampled for name in ("state_name", "secret_code", "visits"))


def test_the_budget_drops_samples_before_tables():
    tables = [Table(name, (Column("id", "INTEGER"), Column(f"{name}_kind", "TEXT")), primary_key=("id",))
              for name in ("first", "second", "third")]
    samples = {(None, t.name): {f"{t.name}_kind": ", ".join(f"'{t.name} value {i}'" for i in range(5))}
               for t in tables}

    def build(budget, **parts):
        retrieved = Retrieved(tables=list(parts.get("tables", tables)), samples=parts.get("samples", samples))
        return build_prompt("How many of each kind?", dialect="sqlite", retrieved=retrieved, budget=budget)

    full, bare = build(10**6), build(10**6, samples={})
    assert "'third value 4'" in full.messages[1]["content"] and not full.truncated
    assert bare.tokens < full.tokens
    # Room for every table but not every sample: the lowest-ranked table's samples go first.
    some = build(full.tokens - 1)
    text = some.messages[1]["content"]
    assert some.truncated and some.tables == ["first", "second", "third"] and some.tokens <= full.tokens - 1
    assert "'first value 0'" in text and "'third value 0'" not in text
    # Room for the tables alone: no sample is left, and every table stays.
    assert build(bare.tokens).messages == bare.messages
    # Less than that: tables go only once every sample is gone.
    fewer = build(bare.tokens - 1)
    assert fewer.tables == ["first", "second"] and "value" not in fewer.messages[1]["content"]


@pytest.mark.parametrize("raw, message", [
    ("-1", "setting 'column_samples' from override must not be negative, got '-1'"),
    ("6", "setting 'column_samples' from override must be at most 5 values per column, got '6'"),
    ("three", "setting 'column_samples' from override is 'three': expected an integer"),
    (1.5, "setting 'column_samples' from override is 1.5: expected an integer"),
    (True, "setting 'column_samples' from override is True: expected an integer"),
])
def test_bad_values_of_column_samples_are_refused(raw, message):
    with pytest.raises(ConfigurationError) as info:
        load_settings({"column_samples": raw}, environ={}, start=None)
    assert info.value.message == message


def test_a_table_that_cannot_be_read_keeps_its_ddl_and_the_answer_runs(tmp_path, session_factory):
    path = tmp_path / "p.sqlite"
    model = FakeModel(lambda messages: "SELECT COUNT(*) FROM places")
    session = session_factory(model=model, connection=_places_file(path), column_samples=3, value_linking=False)
    session.catalog().tables()  # read before the table goes: the catalog still names it
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE visits")
    conn.commit()
    conn.close()
    answer = session.ask("How many visits per place?")
    assert answer.status == "ok" and answer.df.iloc[0, 0] == len(PLACES)
    prompt = model.calls[0][1]["content"]
    assert "CREATE TABLE visits" in prompt and _notes(prompt, "visits") == {}
    assert _notes(prompt, "places")["population"] == "1 to 36000000"
    assert any(note.startswith("column samples of visits could not be read: ") for note in answer.notes)
    again = session.ask("How many visits per place?")  # not tried again until the catalog is refreshed
    assert again.status == "ok" and not any("column samples" in note for note in again.notes)


def test_samples_are_cached_per_connection_and_read_again_when_the_catalog_is_refreshed(tmp_path, session_factory):
    path = tmp_path / "p.sqlite"
    url = _places_file(path)
    first = session_factory(model=FakeModel(lambda messages: "SELECT 1"), connection=url, column_samples=2)
    assert first.ask(QUESTION).retrieved.samples[(None, "places")]["state_name"] == "'texas', 'ohio', ..."
    assert list((first.settings.cache_path / "samples").glob("samples-*.json"))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE places SET state_name = 'nevada' WHERE state_name = 'texas'")
    conn.commit()
    conn.close()

    second = session_factory(model=FakeModel(lambda messages: "SELECT 1"), connection=url, column_samples=2)
    sampled = _sampling(second.database().engine)
    assert second.ask(QUESTION).retrieved.samples[(None, "places")]["state_name"] == "'texas', 'ohio', ..."
    assert sampled == []  # from the cache file
    second.schema(refresh=True)
    assert second.ask(QUESTION).retrieved.samples[(None, "places")]["state_name"] == "'nevada', 'ohio', ..."


PG_PLACES = f"""
CREATE TABLE places (
    place_id integer PRIMARY KEY, state_name varchar(40), population bigint, area numeric(10, 2),
    founded date, updated_at timestamp, active boolean, notes text, unused text, no_number integer
);
INSERT INTO places (place_id, state_name, population, area, founded, updated_at, active, notes)
SELECT g, (ARRAY['texas', 'texas', 'texas', 'ohio', 'ohio', 'utah', 'o''hare'])[1 + g % 7],
       CASE WHEN g = 1 THEN 36000000 ELSE g END, g * 1.25, DATE '1990-01-01' + g * 100,
       TIMESTAMP '2024-01-01 08:30:00' + g * INTERVAL '1 hour', g % 2 = 0, repeat('{LONG}', 2)
FROM generate_series(1, 70) AS g;
CREATE TABLE slow (slow_id integer PRIMARY KEY, label text);
INSERT INTO slow VALUES (1, 'one'), (2, 'two');
"""


@pytest.fixture(scope="module")
def pg_places(make_postgres_database):
    return make_postgres_database(PG_PLACES)


@pytest.mark.postgres
def test_each_kind_of_column_gets_its_comment_on_postgres(pg_places, session_factory):
    model = FakeModel(lambda messages: "SELECT COUNT(*) FROM places WHERE state_name = 'texas'")
    session = session_factory(model=model, connection=pg_places, column_samples=4)
    answer = session.ask(QUESTION)
    assert answer.status == "ok"
    assert _notes(model.calls[0][1]["content"], "places") == {
        "state_name": "'texas', 'ohio', 'o''hare', 'utah'",
        "population": "2 to 36000000",
        "area": "1.25 to 87.50",
        "founded": "1990-04-11 to 2009-03-02",
        "updated_at": "2024-01-01 09:30:00 to 2024-01-04 06:30:00",
        "unused": "always NULL",
        "no_number": "always NULL",
    }


@pytest.mark.postgres
def test_a_table_whose_sampling_times_out_keeps_its_ddl_and_the_answer_runs(pg_places, session_factory):
    import psycopg

    model = FakeModel(lambda messages: "SELECT COUNT(*) FROM places")
    session = session_factory(model=model, connection=pg_places, column_samples=3, value_linking=False,
                              query_timeout=1)
    session.catalog().tables()
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():  # another session holds the table: every read of it waits
        with psycopg.connect(pg_places) as conn:
            conn.execute("LOCK TABLE slow IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        answer = session.ask("How many slow labels and places?")
    finally:
        release.set()
        holder.join()
    assert answer.status == "ok" and answer.df.iloc[0, 0] == 70
    prompt = model.calls[0][1]["content"]
    assert "CREATE TABLE slow" in prompt and _notes(prompt, "slow") == {}
    assert _notes(prompt, "places")["state_name"] == "'texas', 'ohio', 'o''hare', ..."
    assert any(note.startswith("column samples of slow could not be read: the query ran longer than")
               for note in answer.notes)
