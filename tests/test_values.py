"""Value linking: the values a question names, found in the database and shown to the model with their column."""

import sqlite3

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.config import load_settings
from vanna_magic.core.data.schema import Column, Table
from vanna_magic.core.errors import ConfigurationError
from vanna_magic.core.generate.values import MAX_LENGTH, MAX_PER_COLUMN, ValueIndex, allowed_columns, build
from vanna_magic.core.guard.policy import RolePolicy

COLUMNS = [(None, "domain", "name"), (None, "keyword", "keyword"), (None, "city", "name"), (None, "t", "code")]
INDEX = ValueIndex(COLUMNS, {
    0: ["Machine Learning", "Data Science", "Databases"],
    1: ["machine learning", "In", "The"],
    2: ["New York", "New York City", "York", "Boston"],
    3: ["2024", "Home & Kitchen"],
})


def _matches(question, allowed=None):
    return [(m.value, m.columns, m.score) for m in INDEX.match(question, allowed)]


@pytest.mark.parametrize("question, expected", [
    # every column holding the value, the question's own spelling first
    ("Papers about MACHINE LEARNING", [("Machine Learning", ("domain.name", "keyword.keyword"), 1.0)]),
    ("Papers about machine learning", [("machine learning", ("keyword.keyword", "domain.name"), 1.0)]),
    ("Sales of home & kitchen", [("Home & Kitchen", ("t.code",), 1.0)]),
    ("Restaurants in New York City and Boston", [("New York City", ("city.name",), 1.0),
                                                 ("Boston", ("city.name",), 1.0)]),
    ("Restaurants in Bostn", [("Boston", ("city.name",), 0.909)]),
])
def test_the_question_s_values_are_found_with_their_columns(question, expected):
    assert _matches(question) == expected


@pytest.mark.parametrize("question", [
    "Which papers were published in 2024?",  # a lone number is not a value
    "What is the number of the authors in the table?",  # stopwords never match values like 'In' and 'The'
    "Which cities have the most restaurants?",
])
def test_words_that_name_no_value_match_nothing(question):
    assert _matches(question) == []


def test_only_allowed_columns_are_searched():
    assert _matches("Papers about Machine Learning", allowed={(None, "keyword", "keyword")}) == [
        ("machine learning", ("keyword.keyword",), 1.0)]
    assert _matches("Papers about Machine Learning", allowed=set()) == []


def test_a_role_s_masked_columns_and_row_filtered_tables_are_never_linked():
    tables = [Table("people", (Column("name", "TEXT"), Column("city", "TEXT"))),
              Table("orders", (Column("s", "TEXT"),))]
    policy = RolePolicy("analyst", masks={"people": {"name": "'***'"}}, rows={"orders": "s <> 'x'"})
    assert allowed_columns(tables, policy) == {(None, "people", "city")}
    assert allowed_columns(tables, None) == {(None, "people", "name"), (None, "people", "city"), (None, "orders", "s")}


def _shop(path, colours=("Crimson Red", "Navy Blue")):
    """A shop with two colours, many serial numbers and long notes; written again on each call."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, colour TEXT, serial VARCHAR(20), "
                 "note TEXT, qty INT)")
    conn.execute("DELETE FROM items")
    conn.executemany("INSERT INTO items (colour, serial, note, qty) VALUES (?, ?, ?, ?)",
                     [(colours[i % 2], f"S-{i}", "x" * (MAX_LENGTH + 1), i) for i in range(MAX_PER_COLUMN + 5)])
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def test_the_index_keeps_short_text_columns_with_few_distinct_values(tmp_path, session_factory):
    session = session_factory(connection=_shop(tmp_path / "shop.sqlite"))
    problems = []
    missing = Table("missing", (Column("x", "TEXT"),))  # a table the connection cannot read
    index = build(session.database(), [*session.catalog().tables(), missing], "sqlite", problems)
    assert index.values == {0: ["Crimson Red", "Navy Blue"]}  # serial: too many values; note: too long; qty: no text
    assert [index.columns[i] for i in index.values] == [(None, "items", "colour")]
    assert len(problems) == 1 and problems[0].startswith("missing.x: ")


def test_the_model_sees_only_the_values_its_question_names(tmp_path, session_factory):
    model = FakeModel(["SELECT COUNT(*) FROM items WHERE colour = 'Crimson Red'"] * 2)
    session = session_factory(model=model, connection=_shop(tmp_path / "shop.sqlite"))
    answer = session.ask("How many crimson red items are there?")
    prompt = model.calls[0][1]["content"]
    assert "### Values the question names, as stored" in prompt
    assert "\"crimson red\": items.colour = 'Crimson Red'" in prompt
    assert "Navy Blue" not in prompt and "S-1" not in prompt  # no other value, no row reaches the model
    assert answer.retrieved.values[0].column == "items.colour"
    assert "link" not in answer.timings  # the lookup is part of retrieval

    session.configure(value_linking=False)
    session.ask("How many crimson red items are there?")
    assert "### Values" not in model.calls[1][1]["content"]


def test_the_index_is_cached_per_connection_and_read_again_when_the_catalog_is_refreshed(tmp_path, session_factory):
    url = _shop(tmp_path / "shop.sqlite")
    first = session_factory(model=FakeModel(lambda messages: "SELECT 1"), connection=url)
    assert first.ask("Items in Crimson Red").retrieved.values[0].value == "Crimson Red"
    assert len(list((first.settings.cache_path / "values").glob("values-*.json"))) >= 1
    _shop(tmp_path / "shop.sqlite", colours=("Forest Green", "Navy Blue"))

    second = session_factory(model=FakeModel(lambda messages: "SELECT 1"), connection=url)
    assert second.ask("Items in Crimson Red").retrieved.values[0].value == "Crimson Red"  # from the cache file
    second.schema(refresh=True)
    assert second.ask("Items in Crimson Red").retrieved.values == []
    assert second.ask("Items in forest green").retrieved.values[0].value == "Forest Green"


def test_demo_questions_link_categories_and_statuses(session_factory):
    model = FakeModel(lambda messages: "SELECT 1")
    answer = session_factory(model=model).ask("Revenue of electronics and home & kitchen from cancelled orders")
    assert [m.describe() for m in answer.retrieved.values] == [
        "- \"electronics\": products.category = 'Electronics'",
        "- \"home & kitchen\": products.category = 'Home & Kitchen'",
        "- orders.status = 'cancelled'",
    ]


@pytest.mark.parametrize("name, raw, message", [
    ("value_linking", "sometimes", "setting 'value_linking' from override is 'sometimes': expected true or false"),
    ("repair_empty", "2", "setting 'repair_empty' from override is '2': expected true or false"),
    ("candidates", "0", "setting 'candidates' from override must be positive, got '0'"),
    ("candidates", "11", "setting 'candidates' from override must be at most 10, got '11'"),
    ("candidates", "three", "setting 'candidates' from override is 'three': expected an integer"),
])
def test_bad_values_of_the_accuracy_settings_are_refused(name, raw, message):
    with pytest.raises(ConfigurationError) as info:
        load_settings({name: raw}, environ={}, start=None)
    assert info.value.message == message


def test_values_are_read_from_postgresql_in_bulk(postgres_shop):
    from vanna_magic.core.data.catalog import Catalog
    from vanna_magic.core.data.database import Database

    db = Database(postgres_shop)
    try:
        index = build(db, Catalog(db).tables(), "postgres")
    finally:
        db.close()
    by_column = {".".join(filter(None, index.columns[i][1:])): len(v) for i, v in index.values.items()}
    assert by_column == {"customers.name": 50, "customers.email": 40, "orders.status": 3, "products.name": 20}
    assert [m.describe() for m in index.match("Cancelled orders of customer 7")] == [
        "- \"Cancelled\": orders.status = 'cancelled'", "- \"customer 7\": customers.name = 'Customer 7'"]


def test_a_database_error_while_reading_values_leaves_a_note_and_the_question_is_answered(
        tmp_path, session_factory, monkeypatch):
    from vanna_magic.core.errors import DatabaseConnectionError
    from vanna_magic.core.generate import values

    def unreachable(*args, **kwargs):
        raise DatabaseConnectionError("the database closed the connection")

    monkeypatch.setattr(values, "build", unreachable)
    session = session_factory(model=FakeModel(["SELECT 1 AS one"]), connection=_shop(tmp_path / "shop.sqlite"))
    answer = session.ask("Items in Crimson Red")
    assert answer.status == "ok" and answer.retrieved.values == []
    assert answer.notes == ["values were not linked: the database closed the connection"]
