"""Database: read-only execution, time limits and error conversion, on SQLite."""

import hashlib
import sqlite3

import pytest

from vanna_magic.core.data.database import Database, QueryResult
from vanna_magic.core.errors import (
    ConfigurationError,
    DatabaseConnectionError,
    ExecutionError,
    QueryTimeoutError,
)

ENDLESS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n"


@pytest.fixture
def sqlite_file(tmp_path):
    path = tmp_path / "shop.db"
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL);
        INSERT INTO items VALUES (1, 'pen', 1.5), (2, 'ink', 4.0), (3, 'pad', NULL);
    """)
    con.close()
    return path


@pytest.fixture
def db(sqlite_file):
    database = Database(f"sqlite:///{sqlite_file}")
    yield database
    database.close()


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_execute_returns_a_frame_with_the_cursor_columns(db):
    result = db.execute("SELECT id, name, price FROM items ORDER BY id")
    assert isinstance(result, QueryResult) and result.elapsed >= 0
    assert list(result.frame.columns) == ["id", "name", "price"]
    assert result.frame["name"].tolist() == ["pen", "ink", "pad"]
    assert result.frame["price"].isna().tolist() == [False, False, True]


def test_duplicate_column_names_are_kept(db):
    frame = db.execute("SELECT id AS x, name AS x FROM items WHERE id = 1").frame
    assert list(frame.columns) == ["x", "x"]
    assert frame.iloc[0].tolist() == [1, "pen"]


def test_empty_result_keeps_its_columns(db):
    frame = db.execute("SELECT id, name FROM items WHERE id < 0").frame
    assert list(frame.columns) == ["id", "name"] and frame.empty


def test_percent_signs_reach_the_database_untouched(db):
    frame = db.execute("SELECT name FROM items WHERE name LIKE 'p%' ORDER BY name").frame
    assert frame["name"].tolist() == ["pad", "pen"]


def test_identity_and_dialect(db, sqlite_file):
    assert db.dialect == "sqlite" and db.read_only
    assert db.url == f"sqlite:///{sqlite_file}"


@pytest.mark.parametrize("statement", [
    "INSERT INTO items VALUES (4, 'cap', 2.0)",
    "UPDATE items SET price = 0",
    "DELETE FROM items",
    "CREATE TABLE stolen (x)",
    "DROP TABLE items",
])
def test_writes_fail_and_leave_the_file_unchanged(db, sqlite_file, statement):
    before = digest(sqlite_file)
    with pytest.raises(ExecutionError) as caught:
        db.execute(statement)
    assert caught.value.sql == statement
    assert "readonly" in caught.value.message.replace("-", "").replace(" ", "")
    assert digest(sqlite_file) == before
    assert db.execute("SELECT COUNT(*) AS n FROM items").frame["n"].item() == 3


@pytest.mark.timeout(60)
def test_slow_query_is_interrupted_at_the_timeout(db):
    with pytest.raises(QueryTimeoutError) as caught:
        db.execute(ENDLESS, timeout=0.5)
    assert caught.value.seconds == 0.5 and caught.value.sql == ENDLESS
    # the connection goes back to the pool usable: the interrupt does not leak into the next query
    assert db.execute("SELECT COUNT(*) AS n FROM items").frame["n"].item() == 3


@pytest.mark.timeout(60)
def test_default_timeout_comes_from_the_constructor(sqlite_file):
    db = Database(f"sqlite:///{sqlite_file}", query_timeout=0.3)
    with pytest.raises(QueryTimeoutError) as caught:
        db.execute(ENDLESS)
    assert caught.value.seconds == 0.3


def test_sql_error_carries_the_database_message(db):
    with pytest.raises(ExecutionError) as caught:
        db.execute("SELECT nope FROM items")
    # the database's own words (their wording is the driver's, not ours to pin)
    assert caught.value.message == str(caught.value.__cause__.orig).splitlines()[0] and "nope" in caught.value.message
    assert caught.value.sql == "SELECT nope FROM items"
    assert caught.value.stage == "execute"
    assert caught.value.__cause__ is not None


def test_several_statements_are_refused(db):
    with pytest.raises(ExecutionError):
        db.execute("SELECT 1; SELECT 2")


def test_missing_file_is_a_connection_error(tmp_path):
    missing = tmp_path / "nowhere" / "gone.db"
    db = Database(f"sqlite:///{missing}")
    with pytest.raises(DatabaseConnectionError) as caught:
        db.execute("SELECT 1")
    assert str(missing) in caught.value.message and str(missing) in caught.value.hint
    assert not missing.exists(), "a read-only open never creates the file"
    with pytest.raises(DatabaseConnectionError):
        db.ping()


def test_ping_succeeds_on_a_readable_file(db):
    db.ping()


@pytest.mark.parametrize("url", ["", "   ", "not a url", "postgresql://ann:pw@host:port/db", "nosuchdialect://x/y"])
def test_bad_urls_are_configuration_errors(url):
    with pytest.raises(ConfigurationError) as caught:
        Database(url)
    assert caught.value.setting == "connection" and caught.value.hint


def test_missing_driver_names_the_pip_package():
    with pytest.raises(ConfigurationError) as caught:
        Database("mysql+mysqldb://ann@localhost/sales")
    assert "pip install mysqlclient" in caught.value.hint


@pytest.mark.parametrize("url, driver", [("mysql://ann@db/sales", "mysql+pymysql"),
                                         ("mariadb://ann@db/sales", "mariadb+pymysql"),
                                         ("postgresql://ann@db/sales", "postgresql+psycopg")])
def test_urls_without_a_driver_get_the_supported_one(url, driver):
    assert Database(url).url.startswith(driver + "://")


def test_password_never_appears_in_the_url_or_errors():
    db = Database("postgresql://ann:hunter2secret@127.0.0.1:1/sales", connect_timeout=2)
    assert "hunter2secret" not in db.url and db.url.startswith("postgresql+psycopg://ann:***@")
    with pytest.raises(DatabaseConnectionError) as caught:
        db.execute("SELECT 1")
    assert "hunter2secret" not in str(caught.value)


def test_in_memory_sqlite_is_allowed_but_not_read_only():
    db = Database("sqlite://")
    assert not db.read_only
    assert db.execute("SELECT 1 AS one").frame["one"].tolist() == [1]


def test_uri_form_is_forced_read_only(sqlite_file):
    db = Database(f"sqlite:///file:{sqlite_file}?mode=rw&uri=true")
    assert db.execute("SELECT COUNT(*) AS n FROM items").frame["n"].item() == 3
    with pytest.raises(ExecutionError):
        db.execute("DELETE FROM items")
    assert sqlite3.connect(sqlite_file).execute("SELECT COUNT(*) FROM items").fetchone() == (3,)


@pytest.mark.parametrize("timeout", [0, -1.0])
def test_timeout_must_be_positive(db, timeout):
    with pytest.raises(ConfigurationError) as caught:
        db.execute("SELECT 1", timeout=timeout)
    assert caught.value.setting == "query_timeout"
