"""Questions over DataFrames: Session(frames=...), ask(frames=...), %%ask --df and %vanna connect dataframes."""

import pandas as pd
import pytest
from IPython.core.error import UsageError

from tests.fakes import FakeModel
from vanna_magic.core.errors import ConfigurationError


def mixed():
    """Nullable ints, a categorical, tz-aware timestamps and Arrow-backed strings."""
    return pd.DataFrame({
        "qty": pd.array([3, None, 5, 2], dtype="Int64"),
        "region": pd.Categorical(["north", "south", "north", "east"]),
        "sold_at": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 11:00", "2024-02-01 12:00",
                                   "2024-03-01 09:00"]).tz_localize("Europe/Paris"),
        "product": pd.array(["tea", "cake", None, "tea"], dtype="string[pyarrow]"),
    })


def sql_model(*statements):
    return FakeModel([f"```sql\n{sql}\n```" for sql in statements])


def test_mixed_dtypes_reach_the_catalog_and_the_answer(session_factory):
    session = session_factory(sql_model("SELECT region, sum(qty) AS qty FROM sales GROUP BY region ORDER BY region"))
    answer = session.ask("How many per region?", frames={"sales": mixed()})
    assert answer.status == "ok" and answer.dialect == "duckdb"
    assert answer.frame.to_dict("list") == {"region": ["east", "north", "south"], "qty": [2, 8, None]} or \
        answer.frame.fillna(-1).to_dict("list") == {"region": ["east", "north", "south"], "qty": [2, 8, -1]}
    prompt = "\n".join(m["content"] for m in session.model.calls[0] if m.get("content"))
    assert "sales" in prompt and "TIMESTAMP WITH TIME ZONE" in prompt and "ENUM" in prompt


def test_types_survive_filters_on_each_dtype(session_factory):
    session = session_factory()
    answer = session.run_sql("SELECT count(*) AS n FROM sales WHERE qty IS NULL OR product = 'tea' "
                             "OR sold_at >= TIMESTAMPTZ '2024-02-01 00:00:00+01' OR region = 'east'",
                             frames={"sales": mixed()})
    assert answer.frame["n"][0] == 4


def test_a_dataframe_changed_or_replaced_is_seen_as_it_is_now(session_factory):
    frames = {"sales": pd.DataFrame({"amount": [1, 2]})}
    session = session_factory(frames=frames)
    session.connect("dataframes")
    assert session.run_sql("SELECT sum(amount) AS s FROM sales").frame["s"][0] == 3
    frames["sales"].loc[0, "amount"] = 100  # changed in place
    assert session.run_sql("SELECT sum(amount) AS s FROM sales").frame["s"][0] == 102
    frames["sales"] = pd.DataFrame({"amount": [7], "region": ["west"]})  # replaced, with a new column
    assert session.run_sql("SELECT sum(amount) AS s FROM sales").frame["s"][0] == 7
    assert [c.name for c in session.schema("sales")[0].columns] == ["amount", "region"]
    frames["regions"] = pd.DataFrame({"region": ["west"]})
    assert {t.name for t in session.schema()} == {"sales", "regions"}
    del frames["regions"]
    assert {t.name for t in session.schema()} == {"sales"}


def test_registering_never_copies_the_dataframe(session_factory):
    import tracemalloc

    big = pd.DataFrame({"k": [i % 10 for i in range(2_000_000)], "v": [1.0] * 2_000_000})
    session = session_factory()
    session.run_sql("SELECT 1 AS one", frames={"big": big})  # warm up
    tracemalloc.start()
    answer = session.run_sql("SELECT k, sum(v) AS v FROM big GROUP BY k ORDER BY k", frames={"big": big})
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert answer.frame["v"].sum() == 2_000_000
    assert peak < big.memory_usage(deep=True).sum() / 4  # a copy would be the frame's size at least


def test_the_schema_status_and_history_of_a_dataframes_connection(session_factory):
    session = session_factory(frames={"sales": mixed()})
    info = session.connect("dataframes")
    assert (info.url, info.dialect, info.tables, info.name) == ("dataframes", "duckdb", 1, None)
    table = session.schema("sales")[0]
    assert table.row_estimate == 4 and "DataFrame" in table.comment
    status = session.status()
    assert (status.database, status.dialect, status.tables) == ("ok", "duckdb", 1)
    answer = session.run_sql("SELECT product FROM sales WHERE product IS NOT NULL")
    assert session.history().entries[0].sql and answer.history_id is not None


@pytest.mark.parametrize(("frames", "fragment"), [
    ({"sales": [1, 2]}, "not a pandas DataFrame"),
    ({"sales": pd.DataFrame([[1, 2]], columns=["a", "a"])}, "more than one column named a"),
    ({"1sales": pd.DataFrame({"a": [1]})}, "cannot name a table"),
    ({}, "empty"),
    ([("sales", pd.DataFrame())], "must map"),
])
def test_bad_frames_are_one_sentence_and_nothing_runs(session_factory, frames, fragment):
    model = sql_model("SELECT 1")
    session = session_factory(model)
    with pytest.raises(ConfigurationError) as info:
        session.ask("anything", frames=frames)
    assert fragment in info.value.message and "\n" not in info.value.message
    assert model.calls == []


def test_frames_and_a_connection_together_are_refused(session_factory):
    with pytest.raises(ConfigurationError):
        session_factory().run_sql("SELECT 1", frames={"t": pd.DataFrame({"a": [1]})}, connection="sqlite://")


def test_dataframes_without_any_are_one_sentence(session_factory):
    with pytest.raises(ConfigurationError) as info:
        session_factory().connect("dataframes")
    assert "no DataFrames" in info.value.message


def test_ask_df_reads_the_notebook_namespace(shell):
    shell.user_ns["sales"] = mixed()
    shell.user_ns["regions"] = pd.DataFrame({"region": ["north", "south", "east"], "manager": ["A", "B", "C"]})
    answer = shell.run_cell("%%vsql --df sales,regions -o joined\nSELECT r.manager, sum(s.qty) AS qty FROM sales s "
                            "JOIN regions r USING (region) GROUP BY r.manager ORDER BY r.manager").result
    assert answer.status == "ok" and shell.user_ns["joined"]["manager"].tolist() == ["A", "B", "C"]


@pytest.mark.parametrize(("cell", "fragment"), [
    ("%%vsql --df nothing_here\nSELECT 1", "no variable named nothing_here"),
    ("%%vsql --df not_a_frame\nSELECT 1", "not a pandas DataFrame"),
    ("%%vsql --df twins\nSELECT 1", "more than one column named"),
    ("%%vsql --df 'a b'\nSELECT 1", "not a Python variable name"),
    ("%ask --df sales --connection sqlite:// count them", "give one of them"),
    ("%%ask --df nothing_here\nHow many?", "no variable named nothing_here"),
])
def test_bad_df_options_are_one_line_usage_errors(shell, cell, fragment):
    shell.user_ns["not_a_frame"] = [1, 2, 3]
    shell.user_ns["twins"] = pd.DataFrame([[1, 2]], columns=["x", "x"])
    shell.user_ns["sales"] = mixed()
    with pytest.raises(UsageError) as info:
        shell.run_cell(cell)
    assert fragment in str(info.value)


def test_connect_dataframes_sees_the_namespace_as_it_is_now(shell, capsys):
    for name in [name for name, value in shell.user_ns.items() if isinstance(value, pd.DataFrame)]:
        del shell.user_ns[name]  # the shell outlives each test: only this test's DataFrames remain
    shell.user_ns["orders"] = pd.DataFrame({"total": [1.5, 2.5]})
    shell.user_ns["_private"] = pd.DataFrame({"x": [1]})
    shell.run_cell("%vanna connect dataframes")
    assert "duckdb, 1 tables" in capsys.readouterr().out
    assert shell.run_cell("%%vsql\nSELECT sum(total) AS t FROM orders").result.frame["t"][0] == 4.0
    shell.user_ns["orders"] = pd.DataFrame({"total": [10.0]})
    assert shell.run_cell("%%vsql\nSELECT sum(total) AS t FROM orders").result.frame["t"][0] == 10.0
    schema = shell.run_cell("%vanna schema").result
    assert schema["table"].tolist() == ["orders"]
    with pytest.raises(UsageError):
        shell.run_cell("%%vsql\nSELECT * FROM _private")


def test_values_of_dataframes_are_linked_and_never_cached_on_disk(session_factory, cache_dir):
    model = sql_model("SELECT sum(qty) AS qty FROM sales WHERE product = 'cake'")
    session = session_factory(model)
    before = set((cache_dir / "values").glob("*")) if (cache_dir / "values").is_dir() else set()
    answer = session.ask("How many cake were sold?", frames={"sales": mixed()})
    assert answer.status == "ok"
    prompt = "\n".join(m["content"] for m in model.calls[0] if m.get("content"))
    assert "sales.product = 'cake'" in prompt
    assert "customer_id" not in prompt  # the demo database's examples are for the demo database only
    after = set((cache_dir / "values").glob("*")) if (cache_dir / "values").is_dir() else set()
    assert after == before


def test_no_run_plans_the_sql_over_the_dataframes(session_factory):
    model = sql_model("SELECT regoin, count(*) AS n FROM sales GROUP BY regoin",
                      "SELECT region, count(*) AS n FROM sales GROUP BY region")
    session = session_factory(model)
    answer = session.ask("How many sales per region?", run=False, frames={"sales": mixed()})
    assert answer.status == "not_run" and "region" in answer.sql and "regoin" not in answer.sql
    assert len(model.calls) == 2  # DuckDB planned the first answer, found the missing column, and it was repaired
