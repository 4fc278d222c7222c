"""The prompt builder (dialect, context, repairs, token budget) and the tokenizer."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tests.helpers import params
from vanna_magic.core.answer import RepairNote, Retrieved, ScoredExample
from vanna_magic.core.data.schema import Column, ForeignKey, Table
from vanna_magic.core.errors import ConfigurationError
from vanna_magic.core.generate import tokens
from vanna_magic.core.generate.prompt import build_prompt, count_message_tokens
from vanna_magic.core.generate.replay import question_of
from vanna_magic.core.generate.tokens import count_tokens, truncate_tokens
from vanna_magic.core.knowledge.base import Definition, Document, Example

QUESTION = "Which 5 customers spent the most in 2024?"
HUGE = 10**6


def table(name, *columns, fks=()):
    return Table(name=name, columns=tuple(Column(c, "INTEGER" if c.endswith("_id") else "TEXT") for c in columns),
                 primary_key=(columns[0],), foreign_keys=tuple(fks))


TABLES = [
    table("orders", "order_id", "customer_id", "order_date", "status",
          fks=[ForeignKey(("customer_id",), "customers", ("customer_id",))]),
    table("customers", "customer_id", "customer_name", "region_code"),
    table("regions", "region_code", "region_name"),
]
DEFINITIONS = [Definition(kind="metric", name=f"metric{i}", text=f"metric{i}: SUM(orders.amount_{i}) -- meaning {i}")
               for i in range(5)]
DOCUMENTS = [Document(title="orders", text="The orders table. " * 120, table="orders"),
             Document(title="customers", text="One row per customer. " * 10, table="customers")]
# Deliberately not in score order: the builder sorts, most similar first.
EXAMPLES = [ScoredExample(Example(question=f"example question {s}", sql=f"SELECT {s} FROM orders"), score=s / 10)
            for s in (3, 9, 1, 6)]


def retrieved(tables=TABLES, definitions=DEFINITIONS, documents=DOCUMENTS, examples=EXAMPLES):
    return Retrieved(examples=list(examples), tables=list(tables), definitions=list(definitions),
                     documents=list(documents))


def build(budget=HUGE, dialect="sqlite", **parts):
    return build_prompt(QUESTION, dialect=dialect, retrieved=retrieved(**parts), budget=budget)


def user_text(prompt):
    return prompt.messages[1]["content"]


@pytest.mark.parametrize("case", params("prompt/dialects.txt"))
def test_system_message_speaks_the_dialect(case):
    system = build_prompt(case.options.get("question", QUESTION), dialect=case.options["dialect"],
                          retrieved=Retrieved(), budget=HUGE)
    text = system.messages[0]["content"]
    assert system.messages[0]["role"] == "system"
    for needle in case.input.splitlines():
        assert needle in text, f"{case.where}: {needle!r} missing"
    if "absent" in case.options:
        assert case.options["absent"] not in text, case.where


def test_user_message_holds_schema_context_and_question_last():
    prompt = build()
    text = user_text(prompt)
    assert [m["role"] for m in prompt.messages] == ["system", "user"]
    assert text.startswith("### Schema\nCREATE TABLE")
    for t in TABLES:
        assert t.name in text and all(c.name in text for c in t.columns)
    assert all(d.text in text for d in DEFINITIONS)
    assert "The orders table." in text and "One row per customer." in text
    order = [text.index(f"Question: example question {s}") for s in (9, 6, 3, 1)]
    assert order == sorted(order)
    assert "SQL: SELECT 9 FROM orders" in text
    assert text.rstrip().endswith(QUESTION)
    assert question_of(prompt.messages) == QUESTION
    assert (prompt.tables, prompt.examples, prompt.definitions, prompt.truncated) == (
        ["orders", "customers", "regions"], 4, 5, False)


def test_schema_comes_from_render_ddl():
    from vanna_magic.core.data.schema import render_ddl

    prompt = build(dialect="postgresql")
    assert render_ddl(TABLES, "postgresql", one_line=True).strip() in user_text(prompt)


def test_one_line_ddl_keeps_keys_and_puts_comments_under_the_statement():
    from vanna_magic.core.data.schema import render_ddl

    table = Table("visits", (Column("visit_id", "INTEGER"), Column("at", "TEXT", comment="UTC, 'YYYY-MM-DD'")),
                  primary_key=("visit_id",))
    assert render_ddl([table], "sqlite", one_line=True) == (
        "CREATE TABLE visits (visit_id INTEGER, at TEXT, PRIMARY KEY (visit_id));\n-- at: UTC, 'YYYY-MM-DD'")


def test_long_documents_are_cut():
    text = user_text(build())
    assert text.count("The orders table.") < 120 and "[...]" in text


def test_repairs_follow_as_assistant_and_user_turns():
    notes = [RepairNote(sql="SELECT nme FROM customers", error="no such column: nme"),
             RepairNote(sql="SELECT name FROM customer", error="firewall: unknown table customer")]
    prompt = build_prompt(QUESTION, dialect="sqlite", retrieved=retrieved(), budget=HUGE, repairs=notes)
    assert [m["role"] for m in prompt.messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert "SELECT nme FROM customers" in prompt.messages[2]["content"]
    assert "no such column: nme" in prompt.messages[3]["content"] and "Fix" in prompt.messages[3]["content"]
    assert "unknown table customer" in prompt.messages[5]["content"]
    assert question_of(prompt.messages) == QUESTION


def test_same_input_same_prompt_and_hash():
    first, second = build(), build()
    assert first.messages == second.messages and first.hash == second.hash
    canonical = json.dumps(first.messages, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert first.hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert first.tokens == count_message_tokens(first.messages)
    assert build(dialect="postgresql").hash != first.hash


def test_budget_drops_documents_first():
    budget = build(documents=()).tokens
    prompt = build(budget=budget)
    assert prompt.truncated and prompt.tokens <= budget
    assert "The orders table." not in user_text(prompt)
    assert (prompt.examples, prompt.definitions, len(prompt.tables)) == (4, 5, 3)


def test_budget_then_drops_the_least_similar_examples():
    top_two = [e for e in EXAMPLES if e.score >= 0.6]
    budget = build(documents=(), examples=top_two).tokens
    prompt = build(budget=budget)
    text = user_text(prompt)
    assert prompt.truncated and prompt.tokens <= budget and prompt.examples == 2
    assert "example question 9" in text and "example question 6" in text
    assert "example question 3" not in text and "example question 1" not in text
    assert (prompt.definitions, len(prompt.tables)) == (5, 3)


def test_budget_then_keeps_only_the_top_definitions():
    budget = build(documents=(), examples=(), definitions=DEFINITIONS[:3]).tokens
    prompt = build(budget=budget)
    assert prompt.truncated and prompt.tokens <= budget
    assert (prompt.examples, prompt.definitions, len(prompt.tables)) == (0, 3, 3)
    assert DEFINITIONS[2].text in user_text(prompt) and DEFINITIONS[3].text not in user_text(prompt)


def test_budget_then_drops_the_lowest_ranked_tables():
    budget = build(documents=(), examples=(), definitions=DEFINITIONS[:3], tables=TABLES[:2]).tokens
    prompt = build(budget=budget)
    assert prompt.truncated and prompt.tokens <= budget
    assert prompt.tables == ["orders", "customers"] and prompt.definitions == 3


def test_a_tiny_budget_keeps_system_question_and_first_table():
    prompt = build(budget=1)
    assert prompt.truncated and prompt.tokens > 1
    assert prompt.tables == ["orders"] and (prompt.examples, prompt.definitions) == (0, 3)
    assert prompt.messages[0]["role"] == "system" and user_text(prompt).rstrip().endswith(QUESTION)


def test_prompt_without_context_still_asks():
    prompt = build_prompt(QUESTION, dialect="sqlite", retrieved=Retrieved(), budget=HUGE)
    assert question_of(prompt.messages) == QUESTION and prompt.tables == [] and not prompt.truncated


@pytest.mark.parametrize("text, count", [("hello world", 2), ("SELECT * FROM orders", 4), ("", 0),
                                         ("<|endoftext|>", 7)])
def test_count_tokens_is_cl100k(text, count):
    assert count_tokens(text) == count


def test_tokenizer_is_litellms_bundled_copy():
    count_tokens("warm up")
    folder = Path(os.environ["TIKTOKEN_CACHE_DIR"])
    assert (folder / tokens.ENCODING_FILE).is_file()
    assert tokens.bundled_cache_dir() is not None and "litellm" in tokens.bundled_cache_dir().parts


def test_truncate_tokens():
    text, cut = truncate_tokens("one two three four five", 2)
    assert (text, cut) == ("one two", True)
    assert truncate_tokens("short", 10) == ("short", False)


def test_missing_tokenizer_file_is_a_configuration_error(monkeypatch):
    monkeypatch.setattr(tokens, "_encoding", None)
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    monkeypatch.setattr(tokens, "bundled_cache_dir", lambda: None)
    with pytest.raises(ConfigurationError, match="cl100k_base"):
        count_tokens("hello")


def _system_for(column_type: str, dialect: str = "postgresql") -> str:
    table = Table(name="visits", columns=(Column("visit_id", "INTEGER"), Column("at", column_type)))
    prompt = build_prompt(QUESTION, dialect=dialect, retrieved=Retrieved(tables=[table]), budget=HUGE)
    return prompt.messages[0]["content"]


@pytest.mark.parametrize("column_type", ["TIMESTAMP WITHOUT TIME ZONE", "DATE", "timestamptz", "DATETIME"])
def test_date_functions_are_explained_when_the_schema_has_dates(column_type):
    assert "EXTRACT(YEAR FROM col)" in _system_for(column_type)
    assert "DATE_FORMAT(col, '%Y-%m')" in _system_for(column_type, "mysql")


@pytest.mark.parametrize("dialect", ["postgresql", "oracle", "mysql", "duckdb", "mssql"])
def test_no_date_functions_when_years_and_months_are_numbers_or_text(dialect):
    # A small model told about EXTRACT applies it to a year stored as an integer.
    text = _system_for("INTEGER", dialect)
    assert "EXTRACT" not in text and "DATE_FORMAT" not in text and "DATEPART" not in text


def test_sqlite_explains_dates_for_date_types_and_for_text_columns_named_like_dates():
    assert "strftime('%Y', col)" in _system_for("DATE", "sqlite")
    table = Table(name="visits", columns=(Column("visit_id", "INTEGER"), Column("created_at", "TEXT")))
    prompt = build_prompt(QUESTION, dialect="sqlite", retrieved=Retrieved(tables=[table]), budget=HUGE)
    assert "strftime('%Y', col)" in prompt.messages[0]["content"]


@pytest.mark.parametrize("column", ["year", "month", "time_zone_code"])
def test_sqlite_years_and_months_as_numbers_or_names_get_no_date_functions(column):
    # yelp's review.year INTEGER and month TEXT ('January'): strftime on them is always wrong
    table = Table(name="review", columns=(Column("rid", "INTEGER"), Column(column, "TEXT")))
    prompt = build_prompt(QUESTION, dialect="sqlite", retrieved=Retrieved(tables=[table]), budget=HUGE)
    assert "strftime" not in prompt.messages[0]["content"]


@pytest.mark.parametrize("question,topics", [
    ("How many customers are there?", set()),
    ("Which 5 customers spent the most in 2024?", {"dates", "order"}),
    ("What share of orders were returned, rounded to 2 decimals?", {"ratio", "round"}),
    ('Which products have "steel" in their name?', {"text"}),
    ("Total check-ins per month, highest first", {"dates", "ratio", "order"}),
])
def test_question_topics(question, topics):
    from vanna_magic.core.generate.prompt import question_topics

    assert question_topics(question) == topics
    assert question_topics(None) is None  # unknown question: every rule


def test_a_follow_up_keeps_the_topics_of_the_questions_it_builds_on():
    from vanna_magic.core.generate.conversation import Turn

    turn = Turn(question="Revenue per month in 2024", sql="SELECT 1")
    prompt = build_prompt("and only for Europe", dialect="sqlite",
                          retrieved=Retrieved(tables=[Table("orders", (Column("order_date", "DATE"),))]),
                          budget=HUGE, history=[turn])
    assert "strftime('%Y', col)" in prompt.messages[0]["content"]
