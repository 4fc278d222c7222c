"""The sidebar, %vanna schema, history, export and charts on the three kinds of DuckDB source."""

import duckdb
import pandas as pd
import pytest

from vanna_magic.jupyter.charts import Chart
from vanna_magic.jupyter.comm import handle
from vanna_magic.jupyter.protocol import check_result

SQL = "SELECT region, sum(amount) AS amount FROM sales GROUP BY region ORDER BY region"


@pytest.fixture(params=["file", "dataframes", "files"])
def connected(request, tmp_path, monkeypatch, session_factory):
    """A session connected to a DuckDB file, to DataFrames or to files, each holding a ``sales`` table."""
    monkeypatch.chdir(tmp_path)
    sales = pd.DataFrame({"region": ["north", "south", "north"], "amount": [1.0, 2.0, 4.0]})
    if request.param == "file":
        con = duckdb.connect(str(tmp_path / "shop.duckdb"))
        con.register("sales_frame", sales)
        con.execute("CREATE TABLE sales AS SELECT * FROM sales_frame")
        con.close()
        session = session_factory()
        session.connect(f"duckdb:///{tmp_path / 'shop.duckdb'}")
    elif request.param == "dataframes":
        session = session_factory(frames={"sales": sales})
        session.connect("dataframes")
    else:
        sales.to_csv(tmp_path / "sales.csv", index=False)
        session = session_factory()
        session.connect("files:sales.csv")
    return session


def ok(session, op, **args):
    reply = handle(session, {"id": 1, "op": op, "args": args})
    assert reply["ok"], reply
    return check_result(op, reply["result"])


def test_the_sidebar_shows_the_schema_and_health(connected):
    schema = ok(connected, "schema")
    assert schema["dialect"] == "duckdb" and [t["name"] for t in schema["tables"]] == ["sales"]
    assert {c["name"] for c in schema["tables"][0]["columns"]} == {"region", "amount"}
    health = ok(connected, "health")
    assert health["database"] == "ok" and health["dialect"] == "duckdb"


def test_history_export_and_chart(connected, tmp_path):
    answer = connected.run_sql(SQL)
    assert answer.frame.to_dict("list") == {"region": ["north", "south"], "amount": [5.0, 2.0]}
    assert connected.history().entries[0].id == answer.history_id
    assert connected.export(answer.history_id, tmp_path / "out.csv") == 2
    bundle = Chart.of(answer.frame, "bar")._repr_mimebundle_()
    assert "text/html" in bundle


def test_the_schema_command(connected):
    from vanna_magic.jupyter.commands import REGISTRY, Notebook
    from vanna_magic.jupyter.magics import VANNA

    args = VANNA.parse(["schema", "sales"])
    frame = REGISTRY["schema"](connected, args, Notebook(lambda: connected))
    assert set(frame["column"]) == {"region", "amount"}
