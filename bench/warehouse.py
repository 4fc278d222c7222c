"""A warehouse of thousands of tables on PostgreSQL: the seven defog-dev databases, each in its own schema,
among generated look-alike schemas.

The distractors are what a real warehouse holds beside the tables a question needs:

- layer copies: every table of a database again, same columns, in ``stg_yelp``, ``yelp_archive``,
  ``raw_yelp``, ``sandbox_alice``... (empty);
- team copies: one real table in another team's schema (``marketing.business``) with a column dropped
  and load-audit columns added;
- look-alikes: a database's tables under near-synonym names (``businesses``, ``biz_id``,
  ``business_name``, ``num_reviews``) in a schema of its own;
- ``_old`` / ``_bak`` / ``_tmp`` variants, a few of them inside the real schemas themselves;
- source-system and team schemas (``stg_salesforce``, ``mart_finance``...) of business entities
  (customers, orders, invoices, employees, courses, flights, reviews...) that share key columns
  (``customer_id``, ``business_id``, ``flight_id``, ``student_id``...).

Only the real schemas hold rows (and are analysed); distractors are created empty, in bulk.
:func:`build` creates ``<name>`` once and reuses it while its generator and scripts are unchanged
(a database comment holds their digest); the search path of the database lists every schema.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFOG = ROOT / "bench" / "data" / "defog-dev"
DATABASES = ("academic", "advising", "atis", "geography", "restaurants", "scholar", "yelp")

LAYER_COPIES = ("stg_{d}", "{d}_archive", "raw_{d}", "sandbox_{u}", "{d}_dev", "{d}_backup_2023", "tmp_{d}",
                "{d}_test", "{d}_snapshot", "legacy_{d}", "{d}_staging", "{d}_old", "{d}_qa", "scratch_{u}")
USERS = ("alice", "bob", "chen", "dana", "emre", "fatima", "goran", "hana", "ivan", "jun", "kofi", "lena")
TEAMS = ("marketing", "finance", "sales", "ops", "hr", "product", "growth", "risk", "support", "data_science",
         "bi", "logistics", "research", "partnerships", "legal", "procurement")
SOURCES = ("salesforce", "hubspot", "stripe", "zendesk", "shopify", "netsuite", "workday", "ga4", "segment", "jira",
           "sap", "marketo", "intercom", "braze", "mixpanel", "quickbooks", "greenhouse", "okta", "github", "amadeus",
           "sabre", "canvas", "banner", "opentable", "tripadvisor", "crossref", "orcid", "census", "usgs", "faa")
LAYERS = ("raw", "stg", "int", "mart", "snapshot", "archive", "src", "ods")
AUDIT = ("loaded_at timestamp", "source_system text", "etl_batch_id bigint", "is_deleted boolean",
         "updated_at timestamp", "_fivetran_synced timestamp", "record_hash text")
SUFFIXES = ("_old", "_bak", "_tmp", "_copy", "_2022", "_backup", "_v1", "_deprecated")

# Near-synonyms of the words in defog-dev's table and column names (a look-alike schema picks one per word).
SYNONYMS = {
    "business": ["businesses", "biz", "company", "merchant"], "review": ["reviews", "feedback", "rating_event"],
    "user": ["member", "customer", "account"], "users": ["members", "customers", "accounts"],
    "author": ["authors", "writer", "researcher"], "paper": ["papers", "article", "manuscript"],
    "publication": ["publications", "article", "pub"], "journal": ["periodical", "journals", "serial"],
    "conference": ["event", "symposium", "meeting"], "keyword": ["tag", "term", "topic"],
    "keyphrase": ["tag", "topic", "phrase"], "domain": ["field", "area", "discipline"],
    "cite": ["citation", "reference", "cites"], "citation": ["reference", "cite"], "writes": ["authorship", "wrote"],
    "organization": ["org", "institution", "affiliation"], "venue": ["outlet", "forum"],
    "dataset": ["data_set", "corpus"], "field": ["area", "discipline"], "flight": ["flights", "trip", "segment"],
    "airport": ["airports", "airfield", "station"], "airline": ["carrier", "airlines", "operator"],
    "aircraft": ["plane", "airplane", "equipment"], "fare": ["price", "ticket_price", "tariff"],
    "city": ["town", "cities", "municipality"], "state": ["province", "region", "states"],
    "river": ["waterway", "stream"], "lake": ["lakes", "reservoir"], "mountain": ["peak", "summit"],
    "population": ["inhabitants", "pop"], "course": ["class", "module", "courses"],
    "student": ["learner", "pupil", "students"], "instructor": ["teacher", "lecturer", "faculty"],
    "program": ["degree", "curriculum"], "semester": ["term", "session"], "offering": ["section", "instance"],
    "restaurant": ["eatery", "venue", "diner"], "location": ["address", "place", "site"],
    "name": ["title", "label", "full_name"], "count": ["cnt", "total", "num"], "id": ["key", "code", "no"],
    "year": ["yr", "fiscal_year"], "rating": ["score", "stars"], "text": ["body", "content"],
    "code": ["cd", "id"], "number": ["num", "no"], "time": ["ts", "hour"], "area": ["size", "surface"],
    "length": ["len", "distance"], "grade": ["mark", "score"], "credits": ["units", "credit_hours"],
    "category": ["type", "class"], "month": ["mon", "period"], "day": ["weekday", "dow"],
}

# Business entities of source systems and teams: name -> columns (name and type).
ENTITIES = {
    "customer": "customer_id bigint, first_name text, last_name text, email text, city text, state text, "
                "country text, created_at timestamp, segment text",
    "orders": "order_id bigint, customer_id bigint, order_date date, status text, total_amount numeric, "
              "currency text, store_id bigint",
    "order_item": "order_id bigint, product_id bigint, quantity integer, unit_price numeric, discount numeric",
    "product": "product_id bigint, name text, category text, brand text, price numeric, supplier_id bigint",
    "supplier": "supplier_id bigint, name text, country text, rating real",
    "employee": "employee_id bigint, first_name text, last_name text, department_id bigint, hire_date date, "
                "salary numeric, manager_id bigint, title text",
    "department": "department_id bigint, name text, budget numeric, location_id bigint",
    "invoice": "invoice_id bigint, customer_id bigint, invoice_date date, amount numeric, paid boolean, due_date date",
    "payment": "payment_id bigint, invoice_id bigint, amount numeric, method text, paid_at timestamp",
    "shipment": "shipment_id bigint, order_id bigint, carrier text, shipped_at timestamp, delivered_at timestamp, "
                "tracking_number text",
    "store": "store_id bigint, name text, city text, state text, region text",
    "campaign": "campaign_id bigint, name text, channel text, start_date date, end_date date, budget numeric",
    "ticket": "ticket_id bigint, customer_id bigint, opened_at timestamp, closed_at timestamp, priority text, "
              "status text",
    "account": "account_id bigint, name text, industry text, annual_revenue numeric, owner_id bigint",
    "opportunity": "opportunity_id bigint, account_id bigint, stage text, amount numeric, close_date date",
    "web_session": "session_id text, user_id text, started_at timestamp, device text, country text",
    "event": "event_id bigint, session_id text, event_name text, event_time timestamp, page text",
    "app_user": "user_id text, email text, signup_date date, country text, plan text",
    "subscription": "subscription_id bigint, user_id text, plan text, start_date date, end_date date, mrr numeric",
    "location": "location_id bigint, address text, city_name text, state_name text, zip text, country_name text",
    "inventory": "product_id bigint, store_id bigint, quantity integer, updated_at timestamp",
    "product_review": "review_id bigint, product_id bigint, user_id text, rating real, text text, year bigint",
    "business_listing": "business_id text, name text, city text, state text, phone text, category_name text",
    "business_hours": "business_id text, day text, open_time time, close_time time",
    "course_enrollment": "student_id bigint, course_id bigint, semester bigint, grade text, credits integer",
    "course_catalog": "course_id bigint, name text, department text, number text, credits text, description text",
    "faculty": "instructor_id bigint, name text, department text, title text, hire_date date",
    "flight_booking": "booking_id bigint, flight_id bigint, passenger_id bigint, fare_id bigint, booked_at timestamp",
    "flight_status": "flight_id bigint, flight_number text, airline_code text, departure_time bigint, "
                     "arrival_time bigint, status text",
    "airport_delay": "airport_code text, day text, delay_minutes integer, cause text",
    "city_stats": "city_name text, state_name text, population bigint, median_income numeric, area double precision",
    "state_tax": "state_code text, state_name text, tax_rate numeric, year bigint",
    "grant_award": "grant_id bigint, author_id bigint, paper_id bigint, amount numeric, year bigint, agency text",
    "citation_metric": "paper_id bigint, citation_count bigint, h_index integer, year bigint",
    "restaurant_inspection": "restaurant_id bigint, inspection_date date, score integer, city_name text, "
                             "violation text",
    "menu_item": "item_id bigint, restaurant_id bigint, name text, food_type text, price numeric",
}
PREFIXES = ("", "dim_", "fct_", "stg_", "", "agg_", "", "src_")


def sql_name(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def real_script(db: str) -> str:
    """The database's ``postgres.sql`` writing into schema ``db`` instead of ``public``."""
    text = (DEFOG / "databases" / db / "postgres.sql").read_text(encoding="utf-8")
    return f"CREATE SCHEMA {db};\n" + text.replace("public.", f"{db}.")


def _synonym(word: str, rng: random.Random) -> str:
    parts = word.split("_")
    swapped = [rng.choice(SYNONYMS[p]) if p in SYNONYMS and rng.random() < 0.7 else p for p in parts]
    result = "_".join(swapped)
    return result if result != word else word + "s"


def distractors(real: dict[str, dict[str, list[tuple[str, str]]]], count: int, seed: int = 27) -> list[str]:
    """``count`` CREATE TABLE statements (with their CREATE SCHEMA) of distractor tables, in a fixed order.

    ``real`` maps database -> table -> [(column, type)]. The same seed and count give the same warehouse;
    a smaller ``count`` gives a prefix of a larger one's tables, so the kinds mix at every size.
    """
    rng = random.Random(seed)
    out: list[str] = []
    made = 0
    schemas: set[str] = set()
    names: set[tuple[str, str]] = set()

    def table(schema: str, name: str, columns: str) -> None:
        nonlocal made
        if made >= count or (schema, name) in names:
            return
        if schema not in schemas:
            schemas.add(schema)
            out.append(f"CREATE SCHEMA IF NOT EXISTS {schema};")
        names.add((schema, name))
        out.append(f"CREATE TABLE {schema}.{sql_name(name)} ({columns});")
        made += 1

    def columns_of(db: str, name: str) -> list[tuple[str, str]]:
        return real[db][name]

    def render(columns: list[tuple[str, str]]) -> str:
        return ", ".join(f"{sql_name(c)} {t}" for c, t in columns)

    # _old / _bak variants inside the real schemas: two per database.
    for db in DATABASES:
        for name in rng.sample(sorted(real[db]), 2):
            table(db, name + rng.choice(SUFFIXES[:3]), render(columns_of(db, name)))
    for round_ in range(1000):
        if made >= count:
            break
        for db in DATABASES:
            # A layer copy of the whole database, and one table's _old/_bak variant in it.
            pattern = LAYER_COPIES[(round_ + DATABASES.index(db)) % len(LAYER_COPIES)]
            schema = pattern.format(d=db, u=USERS[(round_ * 7 + DATABASES.index(db)) % len(USERS)])
            if round_ >= len(LAYER_COPIES):
                schema += f"_{round_ // len(LAYER_COPIES) + 1}"
            for name in sorted(real[db]):
                table(schema, name, render(columns_of(db, name)))
            name = rng.choice(sorted(real[db]))
            table(schema, name + rng.choice(SUFFIXES), render(columns_of(db, name)))
            # Team copies: two real tables in a team's schema, altered as teams alter what they copy.
            team = TEAMS[(round_ * len(DATABASES) + DATABASES.index(db)) % len(TEAMS)]
            for name in rng.sample(sorted(real[db]), min(2, len(real[db]))):
                cols = columns_of(db, name)
                if len(cols) > 2:
                    cols = [c for c in cols if c != rng.choice(cols[1:])]
                extra = [tuple(a.split(" ", 1)) for a in rng.sample(AUDIT, 2)]
                table(team, name if rng.random() < 0.5 else f"{db}_{name}", render(cols + extra))
            # A look-alike of the database under near-synonym names.
            look = f"{_synonym(db, rng)}_{rng.choice(('core', 'prod', 'app', 'db', 'data', 'main'))}"
            for name in sorted(real[db]):
                cols = [(_synonym(c, rng), t) for c, t in columns_of(db, name)]
                table(look, _synonym(name, rng), render(list(dict(cols).items())))
        # Source-system and team schemas of business entities sharing key columns.
        for _ in range(12):
            if rng.random() < 0.6:
                schema = f"{rng.choice(LAYERS)}_{rng.choice(SOURCES)}"
            else:
                schema = f"{rng.choice(LAYERS)}_{rng.choice(TEAMS)}"
            for entity in rng.sample(sorted(ENTITIES), rng.randint(12, 30)):
                name = rng.choice(PREFIXES) + entity
                table(schema, name, ENTITIES[entity])
                if rng.random() < 0.25:
                    table(schema, name + rng.choice(SUFFIXES), ENTITIES[entity])
    return out


def generator_digest() -> str:
    source = Path(__file__).read_bytes() + b"".join(
        (DEFOG / "databases" / db / "postgres.sql").read_bytes() for db in DATABASES)
    return hashlib.sha256(source).hexdigest()[:16]


def build(conninfo: dict, name: str, total: int) -> str:
    """Create (or reuse) database ``name``: the seven databases and distractors up to ``total`` tables.

    ``total`` <= the seven databases' own table count loads them alone. Returns the database name.
    """
    import psycopg

    marker = f"vanna-magic warehouse {generator_digest()} {total}"
    with psycopg.connect(**conninfo, autocommit=True) as admin:
        row = admin.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                            (name,)).fetchone()
        if row is not None and row[0] == marker:
            return name
        if row is not None:
            admin.execute(f"DROP DATABASE {sql_name(name)} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {sql_name(name)}")
    try:
        with psycopg.connect(**{**conninfo, "dbname": name}, autocommit=True) as conn:
            for db in DATABASES:
                conn.execute(real_script(db))
            conn.execute("ANALYZE")  # the real tables only: distractors stay without statistics
            rows = conn.execute(
                "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = ANY(%s) ORDER BY table_schema, table_name, ordinal_position",
                (list(DATABASES),)).fetchall()
            real: dict[str, dict[str, list[tuple[str, str]]]] = {db: {} for db in DATABASES}
            for schema, table, column, type_ in rows:
                real[schema].setdefault(table, []).append((column, type_))
            own = sum(len(t) for t in real.values())
            statements = distractors(real, max(0, total - own))
            for start in range(0, len(statements), 500):  # one transaction per batch: a lock per table
                conn.execute("\n".join(statements[start:start + 500]))
            schemas = [r[0] for r in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg%' "
                "ORDER BY nspname").fetchall()]
            path = ", ".join(sql_name(s) for s in schemas)
            conn.execute(f"ALTER DATABASE {sql_name(name)} SET search_path = {path}")
    except BaseException:
        with psycopg.connect(**conninfo, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {sql_name(name)} WITH (FORCE)")
        raise
    with psycopg.connect(**conninfo, autocommit=True) as admin:
        admin.execute(f"COMMENT ON DATABASE {sql_name(name)} IS '{marker}'")
    return name
