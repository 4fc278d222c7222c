"""``files:`` connections: CSV and Parquet files written by the test, each a view; nothing else is reachable."""

import pandas as pd
import pytest

from vanna_magic.core.data.files import parse_files
from vanna_magic.core.errors import ConfigurationError, FirewallError


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    for year in (2023, 2024):
        pd.DataFrame({"region": ["north", "south"], "amount": [year, year * 2],
                      "sold_on": pd.to_datetime([f"{year}-01-01", f"{year}-06-01"])}).to_parquet(
            tmp_path / "data" / f"sales_{year}.parquet")
    (tmp_path / "lookup.csv").write_text("region,manager\nnorth,Ann\nsouth,Bob\n")
    return tmp_path


def test_files_become_views_named_after_them(folder, session_factory):
    session = session_factory()
    info = session.connect("files:data/*.parquet,lookup.csv")
    assert (info.dialect, info.tables) == ("duckdb", 3)
    tables = {t.name: t for t in session.schema()}
    assert set(tables) == {"sales_2023", "sales_2024", "lookup"}
    assert tables["sales_2024"].row_estimate == 2 and "sales_2024.parquet" in tables["sales_2024"].comment
    assert [c.name for c in tables["lookup"].columns] == ["region", "manager"]
    answer = session.run_sql("SELECT l.manager, sum(s.amount) AS amount FROM sales_2024 AS s "
                             "JOIN lookup AS l USING (region) GROUP BY l.manager ORDER BY l.manager")
    assert answer.frame.to_dict("list") == {"manager": ["Ann", "Bob"], "amount": [2024, 4048]}


def test_the_models_sql_reaches_the_views_and_nothing_else(folder, session_factory):
    (folder / "secret.csv").write_text("token\nhunter2\n")
    session = session_factory()
    session.connect("files:lookup.csv")
    for sql in ["SELECT * FROM read_csv('secret.csv')", "SELECT * FROM 'secret.csv'",
                "SELECT * FROM read_parquet('data/sales_2023.parquet')"]:
        with pytest.raises(FirewallError) as info:
            session.run_sql(sql)
        assert info.value.rule == "external_access"
    assert session.run_sql("SELECT count(*) AS n FROM lookup").frame["n"][0] == 2


def test_the_naming_rule(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "Sales Data.csv").write_text("x\n1\n")
    (tmp_path / "2024.parquet").write_bytes(b"")
    named = parse_files("files:*/*.csv,2024.parquet,mine=a/Sales Data.csv", base=tmp_path)
    assert set(named) == {"a_sales_data", "b_sales_data", "_2024", "mine"}
    assert named["mine"] == tmp_path / "a" / "Sales Data.csv"


def test_names_that_still_collide_are_refused_with_the_files(tmp_path):
    for folder in ("x/data", "y/data"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "t.csv").write_text("a\n1\n")
    with pytest.raises(ConfigurationError) as info:
        parse_files("files:x/data/t.csv,y/data/t.csv", base=tmp_path)
    assert "data_t" in info.value.message and "name=path" not in info.value.message and info.value.hint


@pytest.mark.parametrize(("spec", "fragment"), [
    ("files:data/*.csv", "no file matches"),
    ("files:missing.parquet", "there is no file"),
    ("files:", "names no file"),
    ("files:notes.txt", "neither a CSV nor a Parquet"),
    ("files:1x=lookup.csv", "cannot name a table"),
    ("files:one=data/*.parquet", "a name is for one file"),
])
def test_bad_specs_are_one_sentence(folder, session_factory, spec, fragment):
    (folder / "notes.txt").write_text("hello")
    session = session_factory()
    before = session.database().url
    with pytest.raises(ConfigurationError) as info:
        session.connect(spec)
    assert fragment in info.value.message and "\n" not in info.value.message
    assert session.database().url == before  # the current connection is kept


def test_an_unreadable_file_is_one_sentence(folder, session_factory):
    (folder / "broken.parquet").write_bytes(b"this is not parquet")
    with pytest.raises(ConfigurationError) as info:
        session_factory().connect("files:broken.parquet")
    assert "cannot read" in info.value.message and "broken.parquet" in info.value.message
    assert "\n" not in info.value.message


def test_a_file_changed_on_disk_is_read_as_it_is_now(folder, session_factory):
    session = session_factory()
    session.connect("files:lookup.csv")
    assert session.run_sql("SELECT count(*) AS n FROM lookup").frame["n"][0] == 2
    (folder / "lookup.csv").write_text("region,manager\nnorth,Ann\nsouth,Bob\neast,Cy\n")
    assert session.run_sql("SELECT count(*) AS n FROM lookup").frame["n"][0] == 3
