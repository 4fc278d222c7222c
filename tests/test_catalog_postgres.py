"""PostgreSQL catalog corners: keys into other schemas, partitions, composite keys, odd names."""

import pytest

from vanna_magic.core.data.catalog import Catalog
from vanna_magic.core.data.database import Database
from vanna_magic.core.data.dialects.generic import reflect_tables
from vanna_magic.core.data.schema import ForeignKey

pytestmark = pytest.mark.postgres

SCRIPT = """
CREATE SCHEMA ref;
CREATE TABLE ref.regions (code text, part int, name text, PRIMARY KEY (part, code));
CREATE TABLE "Mixed Case" ("Id" int PRIMARY KEY, region_code text, region_part int,
  FOREIGN KEY (region_part, region_code) REFERENCES ref.regions (part, code));
COMMENT ON COLUMN "Mixed Case"."Id" IS 'the id';
CREATE TABLE sales (id int, sold date, PRIMARY KEY (id, sold)) PARTITION BY RANGE (sold);
CREATE TABLE sales_2024 PARTITION OF sales FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE notes (id int PRIMARY KEY, sale_id int, sale_sold date, dropped int, body text,
  FOREIGN KEY (sale_id, sale_sold) REFERENCES sales (id, sold));
ALTER TABLE notes DROP COLUMN dropped;
"""


@pytest.fixture(scope="module")
def corners(make_postgres_database):
    db = Database(make_postgres_database(SCRIPT))
    yield db
    db.close()


def test_keys_into_another_schema_partitions_and_dropped_columns(corners):
    tables = {t.name: t for t in Catalog(corners).tables()}
    assert set(tables) == {"Mixed Case", "sales", "notes"}, "partitions and other schemas are not listed"
    mixed = tables["Mixed Case"]
    assert mixed.foreign_keys == (ForeignKey(("region_part", "region_code"), "ref.regions", ("part", "code")),)
    assert mixed.columns[0].comment == "the id" and mixed.primary_key == ("Id",)
    assert tables["sales"].primary_key == ("id", "sold")
    notes = tables["notes"]
    assert [c.name for c in notes.columns] == ["id", "sale_id", "sale_sold", "body"]
    assert notes.foreign_keys == (ForeignKey(("sale_id", "sale_sold"), "sales", ("id", "sold")),)


def test_bulk_catalog_agrees_with_reflection_on_the_corners(corners):
    bulk = {t.name: t for t in Catalog(corners).tables()}
    reflected = {t.name: t for t in reflect_tables(corners)}
    for name in bulk:
        # SQLAlchemy also lists the copies of a key into a partitioned table that point at each partition.
        expected = {fk for fk in reflected[name].foreign_keys if fk.ref_table != "sales_2024"}
        assert set(bulk[name].foreign_keys) == expected, name
        assert bulk[name].primary_key == reflected[name].primary_key, name
