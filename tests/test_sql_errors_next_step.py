"""SQL a person wrote and the database rejected: the error says what the schema has, and where to look."""

import pytest
from IPython.core.error import UsageError

from vanna_magic.core.errors import ExecutionError


def error_of(shell, sql: str) -> str:
    with pytest.raises(UsageError) as info:
        shell.run_cell(f"%%vsql\n{sql}")
    return str(info.value)


def test_an_unknown_column_lists_the_tables_columns_and_the_schema_command(shell):
    text = error_of(shell, "SELECT nope FROM orders")
    assert "nope" in text.splitlines()[0], "the database's own sentence comes first"
    assert "orders has the columns order_id, customer_id" in text
    assert text.rstrip().endswith("%vanna schema orders")


def test_a_column_of_another_table_names_that_table(shell):
    text = error_of(shell, "SELECT email FROM orders")
    assert "email is a column of customers" in text and "%vanna schema orders" in text


def test_a_qualified_unknown_column_gives_its_tables_real_columns(shell):
    text = error_of(shell, "SELECT o.nope FROM orders o JOIN customers c ON c.customer_id = o.customer_id")
    assert "orders (o) has no column nope; its columns are order_id" in text
    assert "%vanna schema orders" in text and "%vanna schema customers" in text


def test_an_unknown_table_lists_the_tables(shell):
    text = error_of(shell, "SELECT * FROM ordres")
    assert "there is no table ordres; the tables are" in text and "orders" in text
    assert "%vanna schema ordres" not in text


def test_the_session_carries_the_notes_in_the_hint_and_the_tables_it_read(session_factory):
    with pytest.raises(ExecutionError) as info:
        session_factory().run_sql("SELECT nope FROM orders")
    assert info.value.tables == ["orders"] and "order_id" in info.value.hint


def test_a_correct_statement_is_untouched(shell):
    answer = shell.run_cell("%%vsql\nSELECT COUNT(*) AS n FROM orders").result
    assert answer.status == "ok"
