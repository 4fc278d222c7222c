"""The accuracy benchmark (bench/accuracy) end to end on the fixtures of tests/fixtures/accuracy, with FakeModel."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from bench.accuracy.__main__ import main
from bench.accuracy.databases import drop_postgres, postgres_name, postgres_url
from bench.accuracy.datasets import BenchError, Question, load_dataset, stratified_sample
from bench.accuracy.gold import variants
from bench.accuracy.runner import Options, run
from tests.fakes import FakeModel
from vanna_magic.core.errors import GenerationError
from vanna_magic.core.generate.replay import question_of

FIXTURES = Path(__file__).parent / "fixtures" / "accuracy"
DEFOG = FIXTURES / "defog"
FOREVER = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n"

# question -> (the model's answer, the status it must get)
SHOP = {
    "How many orders has each customer placed?": (
        "SELECT c.name, COUNT(*) AS orders FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.name",
        "correct"),
    "List the customer names ordered alphabetically.": ("SELECT name FROM customers ORDER BY name DESC", "wrong"),
    "What share of orders is above 100 euros?": ("DELETE FROM orders", "rejected"),
    "Which customers from Paris placed an order?": (
        "SELECT DISTINCT c.id FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.city = 'Paris'",
        "correct"),
    "What is the total amount of all orders?\nRound the total to whole euros.": ("I cannot answer that.", "error"),
    "How many orders were placed in March 2024?": (FOREVER, "error"),
}


def shop_model(answers: dict = SHOP, name: str = "fake/model") -> FakeModel:
    def answer(messages: list[dict]) -> str:
        text = answers[question_of(messages)][0]
        return text if text.startswith("I cannot") else f"```sql\n{text}\n```"

    return FakeModel(answer, name=name)


def options(tmp_path: Path, **changes) -> Options:
    values = dict(dataset=DEFOG, out=tmp_path / "out", model="fake/model", timeout=0.5,
                  cache_dir=tmp_path / "databases")
    values.update(changes)
    return Options(**values)


def results(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


def overall(summary: dict, condition: str, dialect: str = "sqlite") -> dict:
    return next(r for r in summary["breakdowns"]["overall"] if r["condition"] == condition and r["dialect"] == dialect)


def test_defog_layout_end_to_end_under_the_three_conditions(tmp_path):
    model = shop_model()
    lines: list[str] = []
    summary = run(options(tmp_path), model=model, echo=lines.append)

    records = results(tmp_path / "out")
    assert len(records) == 18
    expected = {text: status for text, (_, status) in SHOP.items()}
    for record in records:
        assert record["status"] == expected[record["question"]], record
    for condition in ("baseline", "zero_shot", "knowledge"):
        figures = overall(summary, condition)
        assert (figures["n"], figures["correct"], figures["accuracy"], figures["error_rate"]) == (6, 2, 0.3333, 0.5)
    rejected = {r["condition"]: r for r in records if r["status"] == "rejected"}
    assert rejected["baseline"]["repairs"] == 0 and rejected["baseline"]["reason"].startswith("firewall read_only")
    assert rejected["zero_shot"]["repairs"] == 2 and rejected["knowledge"]["repairs"] == 2
    timeouts = [r for r in records if r["sql"] == FOREVER]
    assert len(timeouts) == 3 and all("longer than 0.5 s" in r["reason"] for r in timeouts)
    assert [r for r in records if r["status"] == "error" and r["sql"] is None][0]["reason"].startswith("generate:")

    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| all | sqlite | baseline | 6 | 33.3% | 50.0% |" in report and report in lines[-1]
    assert "| shop | sqlite | knowledge | 6 | 33.3% |" in report
    assert "| order_by | sqlite | zero_shot | 1 | 0.0% |" in report
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["breakdowns"]["overall"][0]["n"] == 6


def test_prompts_of_each_condition_hold_what_they_should_and_never_the_gold_of_the_question(tmp_path):
    model = shop_model()
    run(options(tmp_path, conditions=("baseline", "zero_shot", "knowledge")), model=model, echo=lambda _: None)
    questions = [q.split("\n")[0] for q in SHOP]
    by_kind: dict[str, list[str]] = {"baseline": [], "ours": []}
    for messages in model.calls:
        text = "\n".join(str(m["content"]) for m in messages)
        asked = question_of(messages).split("\n")[0]
        assert text.count(asked) == 1, "the question being asked appears as an example of itself"
        by_kind["baseline" if "Given the database schema" in text else "ours"].append(text)
    assert all("CREATE TABLE customers" in t and "CREATE TABLE orders" in t for t in by_kind["baseline"])
    assert by_kind["baseline"] and by_kind["ours"]
    assert not any("Order total in euros" in t for t in by_kind["baseline"])
    # metadata.json, imported as docs, reaches the question about euros
    assert any("-- amount: Order total in euros" in t for t in by_kind["ours"])
    with_examples = [t for t in by_kind["ours"] if sum(q in t for q in questions) > 1]
    assert with_examples, "the knowledge condition showed no other question as an example"
    examples = tmp_path / "out" / "work" / "kb" / "knowledge" / "sqlite" / "shop" / "examples"
    assert len(list(examples.glob("*.sql"))) == 6  # every held-out example is back after the run


def test_spider_layout(tmp_path):
    data = tmp_path / "spider"
    shutil.copytree(FIXTURES / "spider", data)
    (data / "database" / "shop").mkdir(parents=True)
    with sqlite3.connect(data / "database" / "shop" / "shop.sqlite") as conn:
        conn.executescript((DEFOG / "databases" / "shop" / "sqlite.sql").read_text(encoding="utf-8"))
    answers = {
        "How many customers are there?": ("SELECT COUNT(*) AS n FROM customers", "correct"),
        "What is the name of the customer with the largest single order?": (
            "SELECT c.name FROM customers c JOIN orders o ON o.customer_id = c.id ORDER BY o.amount DESC LIMIT 1",
            "correct"),
        "List the cities of customers, sorted by city.": (
            "SELECT city FROM customers WHERE city IS NOT NULL ORDER BY city DESC", "wrong"),
    }
    summary = run(options(tmp_path, dataset=data), model=shop_model(answers), echo=lambda _: None)
    records = results(tmp_path / "out")
    assert len(records) == 9 and {r["id"] for r in records} == {"shop:1", "shop:2", "shop:3"}
    assert all(r["status"] == answers[r["question"]][1] for r in records)
    categories = {(r["group"], r["condition"]): r["n"] for r in summary["breakdowns"]["category"]}
    assert categories[("easy", "baseline")] == 1 and categories[("medium", "knowledge")] == 2
    doc = tmp_path / "out" / "work" / "kb" / "zero_shot" / "sqlite" / "shop" / "docs" / "orders.md"
    assert "placed on" in doc.read_text(encoding="utf-8")  # tables.json column names, as descriptions


@pytest.mark.postgres
def test_postgres_run_loads_the_database_once(tmp_path, postgres_server):
    import psycopg

    answers = {text: answer for text, answer in SHOP.items() if answer[0] != FOREVER}
    answers["What share of orders is above 100 euros?"] = (
        "SELECT AVG(CASE WHEN amount > 100 THEN 1.0 ELSE 0 END) FROM orders", "correct")

    def oid() -> int | None:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            row = conn.execute("SELECT oid FROM pg_database WHERE datname = %s", (postgres_name("shop"),)).fetchone()
        return row and row[0]

    try:
        summary = run(options(tmp_path, dialects=("postgres",), conditions=("baseline", "zero_shot"), limit=5,
                              postgres=postgres_server), model=shop_model(answers), echo=lambda _: None)
        records = results(tmp_path / "out")
        assert len(records) == 10 and all(r["status"] == answers[r["question"]][1] for r in records)
        assert overall(summary, "zero_shot", "postgres")["correct"] == 3
        loaded = oid()
        files = load_dataset(DEFOG, ("postgres",)).databases["shop"]
        postgres_url(files, postgres_server)
        assert oid() == loaded  # complete and unchanged: reused
        changed = tmp_path / "changed"
        shutil.copytree(DEFOG, changed)
        script = changed / "databases" / "shop" / "postgres.sql"
        script.write_text(script.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
        url = postgres_url(load_dataset(changed, ("postgres",)).databases["shop"], postgres_server)
        assert oid() != loaded and url.endswith("/vanna_bench_shop")  # another script: loaded again
    finally:
        drop_postgres("shop", postgres_server)


def test_a_rerun_resumes_and_rescoring_costs_no_model_time(tmp_path):
    first = shop_model()
    run(options(tmp_path, conditions=("baseline",), limit=2), model=first, echo=lambda _: None)
    assert len(first.calls) == 2 and len(results(tmp_path / "out")) == 2

    again = shop_model()
    summary = run(options(tmp_path, conditions=("baseline",), limit=2), model=again, echo=lambda _: None)
    assert again.calls == [] and len(results(tmp_path / "out")) == 2
    assert overall(summary, "baseline")["n"] == 2

    more = shop_model()
    run(options(tmp_path, conditions=("baseline",), limit=3), model=more, echo=lambda _: None)
    assert more.questions == ["What share of orders is above 100 euros?"]
    assert [r["id"] for r in results(tmp_path / "out")] == ["shop:1", "shop:2", "shop:3"]

    summary = run(options(tmp_path, conditions=("baseline",), limit=3, offline=True, rescore=True),
                  echo=lambda _: None)
    assert summary["model_calls"] == {"live_calls": 0, "replayed": 3, "failures": 0}
    assert [r["status"] for r in results(tmp_path / "out")] == ["correct", "wrong", "rejected"]


def test_questions_the_model_never_answered_are_asked_again(tmp_path):
    down = FakeModel([GenerationError("the model fake/model at http://127.0.0.1:1 is unavailable")] * 3)
    with pytest.raises(BenchError, match="did not answer 3 times in a row .* run the same command again to resume"):
        run(options(tmp_path, conditions=("baseline",)), model=down, echo=lambda _: None)
    assert [r["retry"] for r in results(tmp_path / "out")] == [True, True, True]

    summary = run(options(tmp_path, conditions=("baseline",)), model=shop_model(), echo=lambda _: None)
    figures = overall(summary, "baseline")
    assert (figures["n"], figures["correct"], figures["unanswered"]) == (6, 2, 0)


def test_offline_without_recorded_responses_leaves_questions_unanswered(tmp_path):
    summary = run(options(tmp_path, conditions=("zero_shot",), limit=2, offline=True), echo=lambda _: None)
    figures = overall(summary, "zero_shot")
    assert (figures["n"], figures["unanswered"], figures["accuracy"]) == (0, 2, None)
    assert all(r["retry"] and r["reason"].startswith("generate: the replay file") for r in results(tmp_path / "out"))
    assert "2 the model did not answer (rerun to ask them again)" in (tmp_path / "out" / "report.md").read_text()


def test_a_gold_query_that_does_not_run_is_a_gold_error_not_a_wrong_answer(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEFOG, data)
    csv = data / "questions_sqlite.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("SELECT name FROM customers ORDER BY name",
                                                           "SELECT nickname FROM customers ORDER BY nickname"))
    summary = run(options(tmp_path, dataset=data, conditions=("baseline",), limit=2), model=shop_model(),
                  echo=lambda _: None)
    statuses = {r["id"]: (r["status"], r["reason"]) for r in results(tmp_path / "out")}
    assert statuses["shop:2"][0] == "gold_error" and "nickname" in statuses["shop:2"][1]
    assert (overall(summary, "baseline")["n"], overall(summary, "baseline")["gold_errors"]) == (1, 1)


def test_sample_is_stratified_by_category_and_deterministic():
    questions = [Question(f"db:{n}", "db", category, f"q{n}", "SELECT 1")
                 for n, category in enumerate(["a"] * 15 + ["b"] * 10 + ["c"] * 5, start=1)]
    picked = stratified_sample(questions, 6, seed=0)
    assert [q.category for q in picked] == ["a", "a", "a", "b", "b", "c"]  # shares 3, 2, 1, in dataset order
    assert picked == stratified_sample(questions, 6, seed=0)
    assert any(stratified_sample(questions, 6, seed=seed) != picked for seed in range(1, 5))
    assert [q.category for q in stratified_sample(questions, 4, seed=0)] == ["a", "a", "b", "c"]  # 2.0, 1.33, 0.67


def _spider_with(tmp_path: Path, dev: str, tables: str | None = None) -> Path:
    folder = tmp_path / "spider"
    folder.mkdir()
    (folder / "dev.json").write_text(dev, encoding="utf-8")
    if tables is not None:
        (folder / "tables.json").write_text(tables, encoding="utf-8")
    return folder


def _defog_with(tmp_path: Path, *, csv: str | None = None, script: str | None = None,
                drop: tuple[str, ...] = ()) -> Path:
    folder = tmp_path / "defog"
    shutil.copytree(DEFOG, folder)
    if csv is not None:
        (folder / "questions_sqlite.csv").write_text(csv, encoding="utf-8")
    if script is not None:
        (folder / "databases" / "shop" / "sqlite.sql").write_text(script, encoding="utf-8")
    for name in drop:
        (folder / name).unlink()
    return folder


BAD_INPUT = {
    "missing folder": (lambda t: ["--data", str(t / "nowhere")], "the dataset folder .*nowhere does not exist"),
    "no layout": (lambda t: ["--data", str(t)], "holds neither questions_sqlite.csv"),
    "no csv for the dialect": (lambda t: ["--data", str(_defog_with(t, drop=("questions_postgres.csv",))),
                                          "--dialect", "both"], "has no questions_postgres.csv for --dialect postgres"),
    "csv without a column": (lambda t: ["--data", str(_defog_with(t, csv="db_name,question\nshop,Hi?\n"))],
                             "has no column query"),
    "csv row too long": (lambda t: ["--data", str(_defog_with(t, csv="db_name,question,query\nshop,Hi?,SELECT 1,x\n"))],
                         "line 2: the row does not have the 3 fields of the header"),
    "csv empty question": (lambda t: ["--data", str(_defog_with(t, csv="db_name,question,query\nshop,,SELECT 1\n"))],
                           "line 2: db_name, question and query must not be empty"),
    "dev.json not json": (lambda t: ["--data", str(_spider_with(t, "[{"))], "dev.json is not valid JSON"),
    "dev.json entry": (lambda t: ["--data", str(_spider_with(t, '[{"db_id": "shop", "question": "Hi?"}]'))],
                       "entry 1 needs the strings 'db_id', 'question' and 'query'"),
    "tables.json": (lambda t: ["--data", str(_spider_with(t, '[{"db_id": "a", "question": "q", "query": "SELECT 1"}]',
                                                          '[{"db_id": "a"}]'))],
                    "tables.json entry 1 is not a Spider table description"),
    "spider postgres": (lambda t: ["--data", str(_spider_with(t, "[]")), "--dialect", "postgres"],
                        "the Spider layout has SQLite databases only"),
    "spider database missing": (lambda t: ["--data", str(_spider_with(
        t, '[{"db_id": "a", "question": "q", "query": "SELECT 1"}]')), "--out", str(t / "o")],
        "the database 'a' has no sqlite version: expected .*database/a/a.sqlite"),
    "unknown db": (lambda t: ["--data", str(DEFOG), "--db", "nope", "--out", str(t / "o")],
                   "unknown database 'nope': the dataset has shop"),
    "bad script": (lambda t: ["--data", str(_defog_with(t, script="CREATE TABLE (")), "--out", str(t / "o"),
                              "--cache-dir", str(t / "c")], "sqlite.sql does not run in SQLite"),
    "script missing": (lambda t: ["--data", str(_defog_with(t, drop=("databases/shop/sqlite.sql",))),
                                  "--out", str(t / "o")], "the database 'shop' has no sqlite version"),
    "bad condition": (lambda t: ["--conditions", "baseline,bogus"], "unknown condition 'bogus'"),
    "no condition": (lambda t: ["--conditions", ","], "--conditions is empty"),
    "limit": (lambda t: ["--limit", "0"], "--limit must be a positive integer, got 0"),
    "max rows": (lambda t: ["--max-rows", "-5"], "--max-rows must be a positive integer, got -5"),
    "timeout": (lambda t: ["--timeout", "-1"], "--timeout must be a positive number of seconds, got -1.0"),
    "limit and sample": (lambda t: ["--limit", "1", "--sample", "2"], "argument --sample: not allowed with"),
    "dialect": (lambda t: ["--dialect", "oracle"], "argument --dialect: invalid choice: 'oracle'"),
    "set without value": (lambda t: ["--set", "example_budget"], "--set takes NAME=VALUE, got 'example_budget'"),
    "set unknown": (lambda t: ["--set", "nosuch=1"], "--set: unknown setting 'nosuch'"),
    "set bad value": (lambda t: ["--set", "example_budget=abc"],
                      "--set: setting 'example_budget' is 'abc': expected an integer"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_one_clear_sentence(case, tmp_path, capsys):
    argv, message = BAD_INPUT[case]
    with pytest.raises(SystemExit) if case in ("limit and sample", "dialect") else contextlib.nullcontext():
        code = main(["--model", "fake/model", *argv(tmp_path)])
        assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("python -m bench.accuracy: "), err
    assert re.search(message, err), err


def test_results_of_another_model_or_a_damaged_file_are_refused(tmp_path):
    run(options(tmp_path, conditions=("baseline",), limit=1), model=shop_model(), echo=lambda _: None)
    with pytest.raises(BenchError, match="holds results of the model 'fake/model', not 'other/model': use another"):
        run(options(tmp_path, conditions=("baseline",), limit=1, model="other/model"), model=shop_model(),
            echo=lambda _: None)
    with (tmp_path / "out" / "results.jsonl").open("a") as handle:
        handle.write("{not json\n")
    with pytest.raises(BenchError, match="results.jsonl line 2 is not a result record"):
        run(options(tmp_path, conditions=("baseline",), limit=1), model=shop_model(), echo=lambda _: None)


def test_set_changes_the_product_settings_of_our_conditions_only(tmp_path):
    model = shop_model()
    run(options(tmp_path, conditions=("baseline", "zero_shot"), settings={"max_repairs": "0"}), model=model,
        echo=lambda _: None)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["options"]["settings"] == {"max_repairs": "0"}
    overall = {row["condition"]: row for row in summary["breakdowns"]["overall"]}
    assert overall["zero_shot"]["repairs"] == 0  # without --set, the failing answers are repaired


def test_self_consistency_samples_are_recorded_one_by_one_and_replayed_in_order(tmp_path):
    question = "List the customer names ordered alphabetically."
    asked: dict[str, int] = {}

    def answer(messages: list[dict]) -> str:  # a sampling model: the first candidate of each prompt is wrong
        key = json.dumps(messages, sort_keys=True)
        asked[key] = asked.get(key, 0) + 1
        limit = " LIMIT 1" if asked[key] == 1 else ""
        return f"```sql\nSELECT name FROM customers ORDER BY name{limit}\n```"

    model = FakeModel(answer, name="fake/model")
    settings = {"candidates": "3", "temperature": "0.7"}
    ask = dict(conditions=("baseline", "zero_shot"), limit=2, settings=settings)
    run(options(tmp_path, **ask), model=model, echo=lambda _: None)
    first = {(r["condition"], r["question"]): r for r in results(tmp_path / "out")}
    assert first[("baseline", question)]["status"] == "wrong"  # the baseline asks once (at temperature 0)
    assert first[("zero_shot", question)]["status"] == "correct"  # two candidates of three agree
    responses = (tmp_path / "out" / "responses.jsonl").read_text(encoding="utf-8").splitlines()
    keys = [json.loads(line)["key"] for line in responses]
    assert len(keys) == len(set(keys)) == len(model.calls)  # every sample under its own key

    summary = run(options(tmp_path, offline=True, rescore=True, **ask), echo=lambda _: None)
    assert summary["model_calls"]["live_calls"] == 0 and summary["model_calls"]["failures"] == 0
    again = {(r["condition"], r["question"]): r["status"] for r in results(tmp_path / "out")}
    assert again == {key: record["status"] for key, record in first.items()}


def test_gold_cells_expand_into_every_alternative():
    cell = "SELECT {a.id, a.name}, COUNT(*) FROM a GROUP BY {};SELECT a.id FROM a"
    assert variants(cell) == ["SELECT a.id, COUNT(*) FROM a GROUP BY a.id",
                              "SELECT a.name, COUNT(*) FROM a GROUP BY a.name",
                              "SELECT a.id, a.name, COUNT(*) FROM a GROUP BY a.id, a.name",
                              "SELECT a.id FROM a"]
    assert variants("SELECT 'a;b' AS x;SELECT 2;") == ["SELECT 'a;b' AS x", "SELECT 2"]
