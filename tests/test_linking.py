"""Schema linking in a catalog of many schemas: copies of a table lose to the original, names are not repeated."""

from __future__ import annotations

from vanna_magic.core.data.schema import Column, Table
from vanna_magic.core.knowledge.embed import HashingEmbedder, content_stems
from vanna_magic.core.knowledge.linking import LinkSchema, compounds, link, terms_of


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


# A warehouse: the production schema, its staging and archive copies, a geography schema with its copies,
# and a team's schema holding copies of both (customers from the shop, a city table from geography).
WAREHOUSE_SHOP = [table("shop", "orders", "order_id", "customer_id", "order_date", "amount"),
                  table("shop", "customers", "customer_id", "customer_name", "city_name"),
                  table("shop", "products", "product_id", "product_name", "price")]
GEO = [table("geo", "city", "city_name", "state_name", "population"),
       table("geo", "state", "state_name", "area", "capital")]
TEAM = [table("ops", "orders", "order_id", "customer_id", "order_date", "amount", "loaded_at"),
        table("ops", "customers", "customer_id", "customer_name", "city_name", "loaded_at"),
        table("ops", "city", "city_name", "state_name", "population", "loaded_at")]


def warehouse() -> list[Table]:
    tables = list(WAREHOUSE_SHOP) + GEO + TEAM + FILLER
    for copy in ("stg_shop", "shop_archive", "raw_shop"):
        tables += [Table(t.name, t.columns, copy) for t in WAREHOUSE_SHOP]
    for copy in ("stg_geo", "geo_archive", "raw_geo"):
        tables += [Table(t.name, t.columns, copy) for t in GEO]
    return tables


def test_a_team_schema_gathering_unrelated_copies_loses_to_the_production_schema():
    # The team's schema names "city" with a table, the shop's only with a column, but the warehouse never
    # holds customers and city together except there.
    chosen = linked(warehouse(), "Total amount of orders per customer city")
    assert {"shop.orders", "shop.customers"} <= set(chosen)
    assert not [name for name in chosen if name.startswith("ops.")]


def test_tables_belong_together_only_where_the_warehouse_keeps_them_together():
    schema = LinkSchema(warehouse(), {})
    index = {f"{t.schema}.{t.name}": i for i, t in enumerate(schema.tables)}
    assert schema.related(index["shop.orders"], index["shop.customers"])
    assert schema.related(index["ops.orders"], index["ops.customers"])
    assert not schema.related(index["ops.customers"], index["ops.city"])  # joined, but copied from apart
    assert schema.related(index["geo.city"], index["geo.state"])


def test_a_junction_table_relates_the_tables_it_joins():
    tables = [table("lib", "author", "author_id", "author_name"), table("lib", "paper", "paper_id", "title"),
              table("lib", "writes", "author_id", "paper_id"), table("lib", "shelf", "shelf_id", "label")]
    schema = LinkSchema(tables, {})
    assert schema.related(0, 1)  # through writes, which holds keys only
    assert not schema.related(0, 3)


def test_a_table_named_after_another_schemas_table_is_its_copy():
    copies = [Table(f"shop_{t.name}", t.columns, "marketing") for t in WAREHOUSE_SHOP]
    schema = LinkSchema(list(WAREHOUSE_SHOP) + copies + FILLER, {})
    assert [schema.copied[i] for i in range(3, 6)] == ["orders", "customers", "products"]
    assert schema.copied[:3] == [None, None, None]
    # "shop" in the question names where the copy came from, not what it holds: the original wins.
    chosen = linked(list(WAREHOUSE_SHOP) + copies + FILLER, "Total amount of shop orders per customer")
    assert {"shop.orders", "shop.customers"} <= set(chosen)
    assert not [name for name in chosen if name.startswith("marketing.")]


def test_a_name_the_question_explains_in_part_weighs_less_than_one_it_explains_whole():
    tables = [table("food", "restaurant", "restaurant_id", "name", "city_name"),
              table("audit", "restaurant_inspection", "restaurant_id", "score", "city_name")] + FILLER
    schema = LinkSchema(tables, {})
    found = schema.matches(terms_of("restaurants in each city"))
    assert found[0]["restaurant"] > found[1]["restaurant"]


def test_plural_and_singular_stems_meet():
    assert terms_of("ratings") == terms_of("rating") == terms_of("rating_ratings")
    assert terms_of("reviews") == terms_of("review")


def test_a_question_about_one_schema_gets_that_schemas_tables():
    tables = warehouse() + [table("sales_core", "region", "region_id", "region_name"),
                            table("shop", "stores", "store_id", "store_name", "region")]
    tables[0] = table("shop", "orders", "order_id", "customer_id", "store_id", "order_date", "amount")
    chosen = linked(tables, "Total amount of orders per store region")
    assert "shop.orders" in chosen and "shop.stores" in chosen
    assert all(name.startswith("shop.") for name in chosen)


def test_a_schema_is_the_original_of_the_marked_copies_that_hold_its_tables():
    tables = warehouse() + [table("hr", "employees", "employee_id", "salary"),
                            table("archive_hr", "invoices", "invoice_id", "amount")]
    schema = LinkSchema(tables, {})
    assert {"shop", "geo"} <= schema.layered
    assert "hr" not in schema.layered  # archive_hr is named after hr but holds none of its tables
    assert "ops" not in schema.layered
