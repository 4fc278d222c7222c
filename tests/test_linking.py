"""Schema linking in a catalog of many schemas: copies of a table lose to the original, names are not repeated."""

from __future__ import annotations

from vanna_magic.core.data.schema import Column, Table
from vanna_magic.core.knowledge.embed import HashingEmbedder, content_stems
from vanna_magic.core.knowledge.linking import LinkSchema, compounds, link


def table(schema: str, name: str, *columns: str) -> Table:
    return Table(name, tuple(Column(c, "text") for c in columns), schema)


SHOP = [table("shop", "orders", "order_id", "customer_id", "order_date", "total_amount"),
        table("shop", "customers", "customer_id", "customer_name", "city"),
        table("shop", "products", "product_id", "product_name", "price")]
FILLER = [table(f"src_{n}", f"{entity}_{n}", f"{entity}_id", "label", "created_at")
          for n in range(6) for entity in ("ticket", "campaign", "invoice")]


def copies(schema: str, suffix: str = "") -> list[Table]:
    return [Table(t.name + suffix, t.columns, schema) for t in SHOP]


def linked(tables: list[Table], question: str) -> list[str]:
    schema = LinkSchema(tables, {})
    terms = set(content_stems(question)) | compounds(question)
    ranked, chosen = link(schema, HashingEmbedder().embed([question]), terms, {})
    return [f"{schema.tables[i].schema}.{schema.tables[i].name}" for i in chosen]


QUESTION = "Total amount of orders per customer city"


def test_staging_and_backup_copies_lose_to_the_original_wherever_they_sort():
    tables = copies("archive_shop") + copies("stg_shop") + copies("sandbox_ann") + SHOP + FILLER
    tables += [Table("orders_bak", SHOP[0].columns, "shop")]
    chosen = linked(tables, QUESTION)
    assert {"shop.orders", "shop.customers"} <= set(chosen)
    assert all(name.startswith("shop.") for name in chosen)
    assert "shop.orders_bak" not in chosen or chosen.index("shop.orders") < chosen.index("shop.orders_bak")


def test_a_table_name_is_linked_once():
    chosen = linked(copies("analytics") + SHOP + copies("stg_shop") + FILLER, QUESTION)
    names = [name.split(".")[1] for name in chosen]
    assert len(names) == len(set(names))
    assert {"orders", "customers"} <= set(names)


def test_a_question_over_two_schemas_links_both():
    tables = SHOP + FILLER + [table("hr", "employees", "employee_id", "salary", "department")]
    chosen = linked(tables, "Salary of employees and total amount of orders per customer")
    assert "hr.employees" in chosen and "shop.orders" in chosen


def test_one_schema_links_as_before():
    chosen = linked(SHOP + [Table(t.name, t.columns, "shop") for t in FILLER], QUESTION)
    assert {"shop.orders", "shop.customers"} <= set(chosen)


def test_a_document_about_a_qualified_table_describes_that_table_only():
    from vanna_magic.core.knowledge.base import Document

    doc = Document("Orders", "Every order placed in the web shop, one row per order.", table="shop.orders")
    schema = LinkSchema(SHOP + copies("stg_shop"), {"shop.orders": doc})
    described = {f"{t.schema}.{t.name}": d for t, d in zip(schema.tables, schema.documents)}
    assert described["shop.orders"] is doc and described["stg_shop.orders"] is None
