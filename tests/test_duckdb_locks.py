"""DuckDB's own locks below the firewall: statements sent straight to the executor still cannot read a file,
reach a Python variable by its name, attach a database or change a setting."""

import pandas as pd
import pytest

from vanna_magic.core.data.sources import open_database
from vanna_magic.core.errors import ExecutionError


@pytest.fixture(params=["memory", "frames", "files"])
def database(request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.csv").write_text("token\nhunter2\n")
    pd.DataFrame({"a": [1, 2]}).to_parquet(tmp_path / "allowed.parquet")
    if request.param == "memory":
        db = open_database("duckdb:///:memory:", query_timeout=10)
    elif request.param == "frames":
        db = open_database("dataframes", query_timeout=10, frames=lambda: {"sales": pd.DataFrame({"x": [1]})})
    else:
        db = open_database("files:allowed.parquet", query_timeout=10)
    yield db
    db.close()


BYPASSING = [
    "SELECT * FROM read_csv('secret.csv')",
    "SELECT * FROM 'secret.csv'",
    "SELECT content FROM read_text('secret.csv')",
    "SELECT * FROM glob('*')",
    "COPY (SELECT 1) TO 'out.csv'",
    "ATTACH 'other.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "RESET enable_external_access",
    "SET threads = 1",
    "SELECT * FROM hidden_frame",
]


@pytest.mark.parametrize("sql", BYPASSING)
def test_the_executor_refuses_what_the_firewall_would_have(database, tmp_path, sql):
    hidden_frame = pd.DataFrame({"secret": [42]})  # noqa: F841 - a Python variable DuckDB must not find by name
    with pytest.raises(ExecutionError):
        database.execute(sql)
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()
    settings = database.execute("SELECT current_setting('enable_external_access') AS e, "
                                "current_setting('lock_configuration') AS l, "
                                "current_setting('python_enable_replacements') AS p").frame
    assert (bool(settings["e"][0]), bool(settings["l"][0]), bool(settings["p"][0])) == (False, True, False)


def test_the_named_files_stay_readable_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"a": [1, 2]}).to_parquet(tmp_path / "allowed.parquet")
    (tmp_path / "secret.csv").write_text("token\nhunter2\n")
    db = open_database("files:allowed.parquet", query_timeout=10)
    assert db.execute("SELECT sum(a) AS s FROM allowed").frame["s"][0] == 3
    with pytest.raises(ExecutionError):
        db.execute(f"SELECT * FROM read_csv('{tmp_path / 'secret.csv'}')")
