"""The pipeline end to end on the demo database, with the model replaced by a fake."""

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.errors import (
    ExecutionError,
    FirewallError,
    GenerationError,
    ModelNotConfiguredError,
    QueryTimeoutError,
    VannaError,
)

TOP_CUSTOMERS = """```sql
SELECT c.name, SUM(oi.quantity * oi.unit_price * (1 - oi.discount)) AS revenue
FROM customers c JOIN orders o ON o.customer_id = c.customer_id
JOIN order_items oi ON oi.order_id = o.order_id
WHERE strftime('%Y', o.order_date) = '2024' AND o.status NOT IN ('cancelled', 'returned')
GROUP BY c.customer_id ORDER BY revenue DESC LIMIT 5
```"""


def test_ask_returns_rows_sql_timings_and_provenance(session_factory):
    model = FakeModel([TOP_CUSTOMERS])
    answer = session_factory(model=model).ask("Which 5 customers spent the most in 2024?")
    assert answer.status == "ok" and answer.source == "model"
    assert list(answer.df.columns) == ["name", "revenue"] and len(answer.df) == 5
    assert answer.df["revenue"].is_monotonic_decreasing
    assert answer.sql.startswith("SELECT c.name")
    assert "LIMIT 5" in answer.executed_sql
    assert {"retrieve", "prompt", "generate", "firewall", "execute"} <= set(answer.timings)
    assert answer.retrieved.examples, "examples from the demo knowledge base"
    assert "customers" in [t.name for t in answer.retrieved.tables]
    assert answer.prompt_hash and answer.prompt_tokens > 0
    # the model saw the schema and the question
    prompt_text = "\n".join(m["content"] for m in model.calls[0])
    assert "CREATE TABLE customers" in prompt_text and "Which 5 customers" in prompt_text
    provenance = answer.provenance()
    assert provenance["tables"] and provenance["examples"][0]["question"]


def test_row_cap_is_applied_by_rewriting_the_limit(session_factory):
    model = FakeModel(["SELECT order_id FROM orders"])
    answer = session_factory(model=model).ask("List the orders", limit=25)
    assert len(answer.df) == 25 and answer.capped
    assert "LIMIT 25" in answer.executed_sql


def test_no_run_returns_the_sql_without_rows(session_factory):
    answer = session_factory(model=FakeModel([TOP_CUSTOMERS])).ask("top customers 2024", run=False)
    assert answer.status == "not_run" and answer.df is None and "execute" not in answer.timings


def test_a_write_is_repaired_through_the_firewall(session_factory):
    model = FakeModel(["DELETE FROM orders", "SELECT COUNT(*) AS n FROM orders"])
    answer = session_factory(model=model).ask("How many orders are there?")
    assert answer.df.iloc[0, 0] > 1000
    assert [a.rule for a in answer.attempts] == ["read_only", None]
    assert answer.repairs == 1
    repair_prompt = model.calls[1]
    assert repair_prompt[-2]["role"] == "assistant" and "DELETE FROM orders" in repair_prompt[-2]["content"]


def test_database_errors_go_back_to_the_model(session_factory):
    model = FakeModel(["SELECT no_such_column FROM orders", "SELECT COUNT(*) FROM orders"])
    answer = session_factory(model=model).ask("How many orders are there?")
    assert answer.attempts[0].stage == "execute" and "no_such_column" in answer.attempts[0].error
    assert "no_such_column" in model.calls[1][-1]["content"]


def test_repairs_are_bounded_and_every_attempt_is_kept(session_factory):
    model = FakeModel(["DROP TABLE orders", "DELETE FROM orders", "UPDATE orders SET status = 'x'"])
    with pytest.raises(FirewallError) as info:
        session_factory(model=model, max_repairs=2).ask("Remove everything")
    assert len(model.calls) == 3
    answer = info.value.answer
    assert len(answer.attempts) == 3 and answer.status == "error" and answer.df is None


def test_an_answer_without_sql_is_a_generation_error(session_factory):
    model = FakeModel(["I cannot help with that."] * 3)
    with pytest.raises(GenerationError, match="without SQL"):
        session_factory(model=model).ask("What is the meaning of life?")


def test_a_model_timeout_is_not_repaired(session_factory):
    model = FakeModel([QueryTimeoutError("the model did not answer within 1 s", stage="generate", seconds=1)])
    with pytest.raises(QueryTimeoutError):
        session_factory(model=model).ask("How many orders are there?")
    assert len(model.calls) == 1


def test_empty_question(session_factory):
    with pytest.raises(VannaError, match="the question is empty"):
        session_factory(model=FakeModel([])).ask("   ")


def test_without_a_model_a_known_question_is_answered_from_the_knowledge_base(session_factory):
    session = session_factory()
    example = session.knowledge_base.examples[0]
    answer = session.ask(example.question.upper() + "  ")
    assert answer.source == "knowledge_base" and answer.status == "ok"
    assert answer.sql == example.sql and answer.df is not None
    assert any("no model configured" in note for note in answer.notes)


def test_without_a_model_an_unknown_question_says_how_to_configure_one(session_factory):
    with pytest.raises(ModelNotConfiguredError) as info:
        session_factory().ask("Which suppliers ship the most units of toys to Europe?")
    text = str(info.value)
    for needle in ("VANNA_MAGIC_MODEL", "openai/", "anthropic/", "ollama/", "api_base"):
        assert needle in text
    assert info.value.suggestions and "Closest questions" in text


def test_run_sql_uses_the_firewall(session_factory):
    session = session_factory()
    answer = session.run_sql("SELECT COUNT(*) AS n FROM customers")
    assert answer.source == "user" and answer.df.iloc[0, 0] > 0
    with pytest.raises(FirewallError, match="read") as info:
        session.run_sql("DELETE FROM customers")
    assert info.value.rule == "read_only"
    with pytest.raises(ExecutionError):
        session.run_sql("SELECT * FROM no_such_table")


def test_limit_must_be_positive(session_factory):
    with pytest.raises(VannaError, match="limit must be a positive integer"):
        session_factory().run_sql("SELECT 1", limit=0)


def test_answer_renders_html_and_text(session_factory):
    answer = session_factory(model=FakeModel([TOP_CUSTOMERS])).ask("Which 5 customers spent the most in 2024?")
    data, metadata = answer._repr_mimebundle_()
    assert "Which 5 customers" in data["text/html"] and "<table" in data["text/html"]
    assert "5 rows" in data["text/plain"] and "retrieve" in data["text/plain"]
    assert metadata["text/html"]["vanna_magic"]["prompt_hash"] == answer.prompt_hash
