"""The accuracy benchmark's warehouse mode (``--warehouse SIZE``) on a small real PostgreSQL warehouse, with FakeModel.

The warehouse is built here as ``bench/warehouse.py`` builds one: the fixture database ``shop`` in schema
``shop``, a distractor schema ``stg_shop`` whose ``customers`` holds other rows, and every schema on the
database's search path, the distractor first: in the warehouse an unqualified gold query would read the
distractor, so a right answer shows that the gold ran on ``vanna_bench_shop``.
"""

from __future__ import annotations

import json
import re
import secrets

import psycopg
import pytest

from bench.accuracy.__main__ import main
from bench.accuracy.databases import drop_postgres
from bench.accuracy.datasets import BenchError
from bench.accuracy.runner import run
from bench.accuracy.split import main as split_main
from bench.accuracy.warehouse import MARKER, database_name, qualify
from tests.test_accuracy_bench import DEFOG, SHOP, options, results, shop_model
from vanna_magic.core.generate.replay import question_of

pytestmark = pytest.mark.postgres

# question -> (the model's answer, the status it must get)
ANSWERS = {
    "How many orders has each customer placed?": (
        "SELECT c.name, COUNT(*) AS n FROM shop.customers c JOIN shop.orders o ON o.customer_id = c.id "
        "GROUP BY c.name", "correct"),
    "List the customer names ordered alphabetically.": ("SELECT name FROM shop.customers ORDER BY name", "correct"),
    "Which customers from Paris placed an order?": (  # the distractor schema's customers: other rows
        "SELECT DISTINCT c.name FROM stg_shop.customers c WHERE c.city = 'Paris'", "wrong"),
}


def _admin(server: str, dbname: str = "postgres") -> psycopg.Connection:
    from sqlalchemy.engine import make_url

    url = make_url(server)
    return psycopg.connect(host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username,
                           password=url.password, dbname=dbname, autocommit=True)


def _create(server: str, name: str, script: str, comment: str | None) -> None:
    with _admin(server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    with _admin(server, name) as conn:
        conn.execute(script)
        if comment is not None:
            conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{comment}'")


@pytest.fixture
def warehouses(postgres_server):
    """``make(script, built=True)``: a database ``vanna_scale_<size>`` holding ``script``; its size."""
    made: list[str] = []

    def make(script: str, built: bool = True) -> int:
        size = 900_000 + secrets.randbelow(99_999)
        made.append(database_name(size))
        _create(postgres_server, database_name(size), script, f"{MARKER}test {size}" if built else None)
        return size

    yield make
    with _admin(postgres_server) as admin:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def shop_warehouse() -> str:
    script = (DEFOG / "databases" / "shop" / "postgres.sql").read_text(encoding="utf-8").replace("public.", "shop.")
    return ("CREATE SCHEMA shop;\n" + script + "\nCREATE SCHEMA stg_shop;\n"
            "CREATE TABLE stg_shop.customers (id bigint, name text, city text, loaded_at timestamp);\n"
            "INSERT INTO stg_shop.customers VALUES (7, 'Zoe', 'Paris', NULL), (8, 'Yan', 'Paris', NULL);\n"
            "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = stg_shop, shop', current_database()); "
            "END $$;\n")


def test_warehouse_mode_asks_through_the_warehouse_with_knowledge_scoped_to_the_schema(
        tmp_path, postgres_server, warehouses):
    size = warehouses(shop_warehouse())
    model = shop_model({**{q: ("I cannot answer that.", "error") for q in SHOP}, **ANSWERS})
    try:
        summary = run(options(tmp_path, dialects=("postgres",), limit=4, postgres=postgres_server, warehouse=size,
                              settings={"max_repairs": "0"}), model=model, echo=lambda _: None)
    finally:
        drop_postgres("shop", postgres_server)
    records = results(tmp_path / "out")
    assert {r["condition"] for r in records} == {"zero_shot", "knowledge"}  # the baseline is not run
    for record in records:
        assert record["warehouse"] == size
        assert record["status"] == ANSWERS.get(record["question"], ("", "error"))[1], record
    assert len(records) == 8 and sum(r["status"] == "correct" for r in records) == 4

    prompts = ["\n".join(str(m["content"]) for m in call) for call in model.calls]
    assert all("shop.orders" in p or "shop.customers" in p for p in prompts)  # names qualified by schema
    assert any("stg_shop.customers" in p for p in prompts)  # the distractor schema is visible too
    assert any("Order total in euros" in p for p in prompts)  # the doc of shop.orders reaches the prompt
    for call, text in zip(model.calls, prompts):
        assert text.count(question_of(call).split("\n")[0]) == 1  # never its own example
    kb = tmp_path / "out" / "work" / "kb"
    docs = {p.name for p in (kb / "zero_shot" / "postgres" / "shop" / "docs").glob("*.md")}
    assert {"shop.customers.md", "shop.orders.md"} <= docs and not {"customers.md", "orders.md"} & docs
    examples = sorted((kb / "knowledge" / "postgres" / "shop" / "examples").glob("*.sql"))
    assert len(examples) == 6
    for path in examples:
        sql = path.read_text(encoding="utf-8").split("\n", 1)[1]
        assert re.findall(r"\b(?:FROM|JOIN)\s+(\S+)", sql) and all(
            name.startswith("shop.") for name in re.findall(r"\b(?:FROM|JOIN)\s+(\S+)", sql)), sql

    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert f"warehouse vanna_scale_{size} ({size} tables" in report and "Not run: baseline: " in report
    assert summary["options"]["warehouse"] == size and summary["options"]["conditions"] == ["zero_shot", "knowledge"]


def test_a_results_file_holds_one_kind_of_run(tmp_path, postgres_server, warehouses):
    size = warehouses(shop_warehouse())
    run(options(tmp_path, conditions=("baseline",), limit=1), model=shop_model(), echo=lambda _: None)
    with pytest.raises(BenchError, match=r"holds results of a plain run, not asked through the warehouse of "
                                         rf"{size} tables: use another --out"):
        run(options(tmp_path, dialects=("postgres",), limit=1, postgres=postgres_server, warehouse=size),
            model=shop_model(), echo=lambda _: None)
    record = json.loads((tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8"))
    other = tmp_path / "other"
    other.mkdir()
    (other / "results.jsonl").write_text(json.dumps({**record, "condition": "zero_shot", "warehouse": size}) + "\n",
                                         encoding="utf-8")
    with pytest.raises(BenchError, match=rf"holds results asked through the warehouse of {size} tables, "
                                         "not of a plain run"):
        run(options(tmp_path, out=other, conditions=("baseline",), limit=1), model=shop_model(), echo=lambda _: None)
    with pytest.raises(BenchError, match=rf"holds results asked through the warehouse of {size} tables, not asked "
                                         rf"through the warehouse of {size + 1} tables"):
        run(options(tmp_path, out=other, dialects=("postgres",), limit=1, warehouse=size + 1), model=shop_model(),
            echo=lambda _: None)


def test_split_tells_a_warehouse_run_from_a_plain_run(tmp_path, capsys):
    record = {"condition": "zero_shot", "dialect": "postgres", "db": "shop", "id": "shop:1", "status": "correct",
              "latency": 1.0, "repairs": 0}
    plain, warehouse = tmp_path / "plain.jsonl", tmp_path / "wh.jsonl"
    plain.write_text(json.dumps(record) + "\n", encoding="utf-8")
    warehouse.write_text(json.dumps({**record, "status": "wrong", "warehouse": 1000}) + "\n", encoding="utf-8")
    assert split_main([str(plain), str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "| dev | postgres | zero_shot | 1 | 100.0% |" in out
    assert "| dev | postgres @ 1000 tables | zero_shot | 1 | 0.0% |" in out


def test_qualify_names_the_tables_read_and_keeps_the_rest_of_the_text():
    sql = ('WITH big AS (SELECT * FROM orders WHERE amount > 100) SELECT c.name FROM customers c JOIN big '
           'ON big.customer_id = c.id JOIN crm."Order Lines" l ON l.id = big.id WHERE c.id IN (SELECT id FROM "VIP")')
    assert qualify(sql, "shop") == sql.replace("FROM orders", "FROM shop.orders").replace(
        "FROM customers", "FROM shop.customers").replace('FROM "VIP"', 'FROM shop."VIP"')
    assert qualify("SELECT FROM WHERE (", "shop") == "SELECT FROM WHERE ("
    assert qualify("SELECT 1", "Odd Schema") == "SELECT 1"
    assert qualify("SELECT * FROM t", "Odd Schema") == 'SELECT * FROM "Odd Schema".t'


def test_bad_warehouse_input_is_one_clear_sentence(tmp_path, capsys, postgres_server, warehouses):
    unbuilt = warehouses("CREATE SCHEMA shop;", built=False)
    empty = warehouses("CREATE SCHEMA stg_shop; CREATE TABLE stg_shop.customers (id bigint);")
    cases = [
        (["--warehouse", "1000", "--dialect", "sqlite"], "--warehouse runs on PostgreSQL only, not --dialect sqlite"),
        (["--warehouse", "1000", "--dialect", "both"], "--warehouse runs on PostgreSQL only, not --dialect both"),
        (["--warehouse", "0"], "--warehouse must be a positive integer, got 0"),
        (["--warehouse", str(unbuilt)], rf"the warehouse vanna_scale_{unbuilt} is not built on .*: build it with "
                                        rf"`python -m bench.accuracy.warehouse {unbuilt}`"),
        (["--warehouse", str(empty)], rf"the warehouse vanna_scale_{empty} has no schema 'shop'"),
        (["--warehouse", "1000", "--conditions", "baseline"], "--warehouse runs zero_shot and knowledge only: the "
                                                             "plain prompt cannot hold"),
    ]
    for argv, message in cases:
        code = main(["--model", "fake/model", "--data", str(DEFOG), "--out", str(tmp_path / "o"),
                     "--postgres", postgres_server, *argv])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and err.startswith("python -m bench.accuracy: "), err
        assert re.search(message, err), err
