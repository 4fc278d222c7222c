"""The ``schemas`` setting: which schemas the catalog reads, in which order, and what it refuses."""

from __future__ import annotations

import pytest

from vanna_magic import Session
from vanna_magic.core.config import load_settings
from vanna_magic.core.data.schema_filter import SchemaFilter
from vanna_magic.core.errors import ConfigurationError

WAREHOUSE = """
CREATE SCHEMA sales; CREATE SCHEMA sales_archive; CREATE SCHEMA stg_sales; CREATE SCHEMA finance;
CREATE TABLE sales.orders (order_id int PRIMARY KEY, total numeric);
CREATE TABLE sales_archive.orders (order_id int, total numeric);
CREATE TABLE stg_sales.orders (order_id int, total numeric);
CREATE TABLE finance.invoices (invoice_id int, order_id int REFERENCES sales.orders (order_id));
CREATE TABLE public.notes (note text);
"""


@pytest.mark.parametrize("value", ["sales;drop table x", "sales, ", "-", "sales finance", "a.b", ",", "'x'"])
def test_a_bad_pattern_is_refused_in_one_sentence_before_any_catalog_is_read(value):
    with pytest.raises(ConfigurationError) as caught:
        load_settings({"schemas": value}, environ={}, start=None)
    message = str(caught.value)
    assert "schemas" in message and "\n" not in message.strip()


def test_the_environment_is_checked_like_any_source():
    with pytest.raises(ConfigurationError):
        load_settings({}, environ={"VANNA_MAGIC_SCHEMAS": "sales,,finance"}, start=None)


def test_include_exclude_and_order():
    f = SchemaFilter.parse("finance, sales*, -*_archive")
    assert [s for s in ["sales", "sales_archive", "finance", "hr"] if f.allows(s)] == ["sales", "finance"]
    assert f.order(["sales", "finance", "sales_eu"]) == ["finance", "sales", "sales_eu"]
    only_out = SchemaFilter.parse("-stg_*")
    assert only_out.allows("sales") and not only_out.allows("STG_SALES")
    assert SchemaFilter.parse("  ") is None


def test_postgres_reads_the_schemas_the_setting_names_outside_the_search_path(make_postgres_database, cache_dir):
    url = make_postgres_database(WAREHOUSE)
    plain = Session(url, cache_dir=str(cache_dir))
    assert {(t.schema, t.name) for t in plain.schema()} == {("public", "notes")}  # the search path alone
    session = Session(url, cache_dir=str(cache_dir), schemas="finance, sales*, -*_archive")
    tables = [(t.schema, t.name) for t in session.schema()]
    assert tables == [("finance", "invoices"), ("sales", "orders")]
    invoices = session.schema("finance.invoices")[0]
    assert invoices.foreign_keys[0].ref_table == "sales.orders"
    session.configure(schemas="-public")
    assert {s for s, _ in ((t.schema, t.name) for t in session.schema())} == {
        "finance", "sales", "sales_archive", "stg_sales"}
    for s in (plain, session):
        s.close()


def test_a_prompt_names_tables_with_their_schema(make_postgres_database, cache_dir):
    from tests.fakes import FakeModel

    url = make_postgres_database(WAREHOUSE)
    model = FakeModel(lambda messages: "SELECT order_id, total FROM sales.orders")
    session = Session(url, cache_dir=str(cache_dir), schemas="sales, finance", model=model)
    answer = session.ask("total of orders")
    prompt = model.calls[0][1]["content"]
    assert "CREATE TABLE sales.orders" in prompt and "CREATE TABLE orders" not in prompt
    assert answer.error is None and "sales.orders" in answer.sql
    session.close()
