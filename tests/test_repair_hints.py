"""What the repair prompt is told about a failed query: the qualifier no table carries, the column a table
lacks, the type a column is not, the divisor that may be 0, the table the catalog lacks."""

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.data.schema import Column, ForeignKey, Table


def test_a_qualifier_no_table_carries_is_named_for_the_repair():
    from vanna_magic.core.diagnose.aliases import undefined_aliases

    sql = "SELECT r.name, SUM(oi.quantity) FROM regions r JOIN customers c ON c.region_id = r.region_id GROUP BY 1"
    assert undefined_aliases(sql, "sqlite") == [
        "oi (in oi.quantity) names no table of the query's FROM or JOIN clauses: join the table it stands for"]
    # a correlated subquery may use the outer query's aliases; a CTE is a table of the query
    assert undefined_aliases("SELECT c.name FROM customers c WHERE EXISTS "
                             "(SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id)", "sqlite") == []
    assert undefined_aliases("WITH t AS (SELECT 1 AS x) SELECT t.x FROM t", "sqlite") == []
    assert undefined_aliases("SELECT FROM WHERE", "sqlite") == []


def test_the_repair_is_told_which_table_was_never_joined(session_factory):
    model = FakeModel([
        "```sql\nSELECT r.name, COUNT(o.order_id) FROM regions r JOIN customers c ON c.region_id = r.region_id "
        "GROUP BY r.name\n```",
        "```sql\nSELECT r.name, COUNT(o.order_id) AS orders FROM regions r "
        "JOIN customers c ON c.region_id = r.region_id "
        "JOIN orders o ON o.customer_id = c.customer_id GROUP BY r.name\n```"])
    answer = session_factory(model=model).ask("How many orders came from each region?")
    assert answer.status == "ok" and len(model.calls) == 2
    told = model.calls[1][-1]["content"]
    assert answer.attempts[0].error in told and "o.order_id" in answer.attempts[0].error  # the database's words
    assert "o (in o.order_id) names no table of the query's FROM or JOIN clauses" in told


def test_a_table_the_catalog_lacks_is_named_with_the_tables_there_are(session_factory):
    model = FakeModel(["```sql\nSELECT COUNT(*) AS n FROM order_lines\n```",
                       "```sql\nSELECT COUNT(*) AS n FROM order_items\n```"])
    answer = session_factory(model=model).ask("How many order lines are there?")
    assert answer.status == "ok" and answer.repairs == 1
    told = model.calls[1][-1]["content"]
    assert "there is no table order_lines; the tables are " in told and "order_items" in told


YELP = [
    Table("business", (Column("bid", "bigint"), Column("business_id", "text"), Column("name", "text"))),
    Table("review", (Column("rid", "bigint"), Column("business_id", "text"), Column("user_id", "text"),
                     Column("rating", "real"))),
    Table("users", (Column("uid", "bigint"), Column("user_id", "text"), Column("name", "text"))),
    Table("orders", (Column("customer_id", "bigint"), Column("customer_code", "varchar(8)"))),
    Table("customers", (Column("customer_id", "integer"), Column("customer_code", "character varying"))),
]


def test_a_column_its_table_lacks_is_named_with_the_tables_real_columns():
    from vanna_magic.core.diagnose.columns import unknown_columns

    sql = "SELECT b.name, AVG(r.stars) FROM business b JOIN review r ON r.business_id = b.business_id GROUP BY 1"
    assert unknown_columns(sql, "postgresql", YELP) == [
        "review (r) has no column stars; its columns are rid, business_id, user_id, rating"]
    # unqualified, and held by a table the query did not join: that table is named
    assert unknown_columns("SELECT name, rating FROM users WHERE uid = 3", "sqlite", YELP) == [
        "no table of the query has a column rating; rating is a column of review"]
    assert unknown_columns("SELECT users.rating FROM users", "sqlite", YELP) == [
        "users has no column rating; its columns are uid, user_id, name; rating is a column of review"]


@pytest.mark.parametrize("sql", [
    "SELECT b.name FROM business b JOIN review r ON r.business_id = b.business_id",  # all there
    "SELECT name, COUNT(*) AS n FROM users GROUP BY name ORDER BY n DESC",  # an output alias
    "SELECT b.name FROM business b WHERE EXISTS (SELECT 1 FROM review WHERE business_id = b.business_id "
    "AND bid > 1)",  # correlated: bid is the outer table's
    "SELECT s.total FROM (SELECT SUM(rating) AS x FROM review) s",  # a subquery's columns: the database says
    "SELECT o.total FROM users u",  # an undefined qualifier: undefined_aliases says so
    "SELECT x FROM somewhere_else",  # a table the catalog does not know
    "SELECT FROM WHERE",
])
def test_columns_that_exist_or_cannot_be_judged_get_no_hint(sql):
    from vanna_magic.core.diagnose.columns import unknown_columns

    assert unknown_columns(sql, "sqlite", YELP) == []


def test_the_repair_is_told_the_columns_of_the_table(session_factory):
    model = FakeModel([
        "```sql\nSELECT c.name, c.country FROM customers c LIMIT 3\n```",
        "```sql\nSELECT c.name, r.name AS region FROM customers c JOIN regions r ON r.region_id = c.region_id "
        "LIMIT 3\n```"])
    answer = session_factory(model=model).ask("Three customers and their regions?")
    assert answer.status == "ok" and len(model.calls) == 2
    told = model.calls[1][-1]["content"]
    assert ("customers (c) has no column country; its columns are customer_id, name, email, region_id, segment, "
            "signup_date; country is a column of suppliers") in told


def test_the_repair_names_only_what_the_role_may_see(session_factory):
    from tests.test_policy import SHAPES

    model = FakeModel(["SELECT c.name, c.country FROM customers c LIMIT 3",
                       "SELECT c.name FROM customers c LIMIT 3"])
    session = session_factory(model=model, policy_file=str(SHAPES))
    session.ask("Three customers and their countries?")
    told = model.calls[1][-1]["content"]
    assert "has no column country" in told
    assert "email" not in told and "suppliers" not in told


def test_a_column_used_as_a_type_it_is_not_is_named_with_its_type():
    from vanna_magic.core.diagnose.types import type_clashes

    tables = YELP + [Table("tip", (Column("tip_id", "bigint"), Column("year", "bigint"), Column("month", "text"),
                                   Column("posted", "timestamp")))]
    sql = ("SELECT COUNT(*) FROM tip t JOIN users u ON u.name = t.tip_id "
           "WHERE EXTRACT(YEAR FROM t.year) = 2021 AND t.month - INTERVAL '2 months' > t.posted "
           "AND t.tip_id = 3 - INTERVAL '2 months'")
    assert type_clashes(sql, "postgres", tables) == [
        "u.name is text and t.tip_id is bigint: compare columns of the same type (another key of the same type "
        "may be the one meant)",
        "t.year is bigint, not a date or timestamp: EXTRACT does not apply; use its value as it is",
        "t.month is text, not a date or timestamp: INTERVAL arithmetic does not apply",
        "3 is a number: INTERVAL arithmetic needs a date or timestamp",
    ]
    # dates used as dates, and same-typed comparisons, are fine
    assert type_clashes("SELECT EXTRACT(YEAR FROM t.posted), t.posted - INTERVAL '1 day' FROM tip t "
                        "WHERE t.year = t.tip_id", "postgres", tables) == []
    assert type_clashes("SELECT FROM WHERE", "postgres", tables) == []


def test_the_repair_is_told_which_column_has_the_wrong_type_on_postgres(session_factory, postgres_shop):
    model = FakeModel([
        "```sql\nSELECT COUNT(*) FROM orders o JOIN customers c ON c.name = o.order_id "
        "WHERE EXTRACT(YEAR FROM o.order_id) = 2024\n```",
        "```sql\nSELECT COUNT(*) AS n FROM orders\n```"])
    answer = session_factory(model=model, connection=postgres_shop).ask("How many orders have a customer?")
    assert answer.status == "ok" and answer.attempts[0].error
    told = model.calls[1][-1]["content"]
    assert "c.name is text and o.order_id is integer: compare columns of the same type" in told
    assert "o.order_id is integer, not a date or timestamp: EXTRACT does not apply" in told


SCHOLAR = [
    Table("paper", (Column("paperid", "bigint"), Column("venueid", "bigint"), Column("journalid", "bigint"),
                    Column("title", "text"))),
    Table("journal", (Column("journalid", "bigint"), Column("journalname", "text"))),
    Table("venue", (Column("venueid", "bigint"), Column("venuename", "text"), Column("journalid", "bigint"))),
    Table("keyphrase", (Column("keyphraseid", "bigint"), Column("keyphrasename", "text"))),
    Table("paperkeyphrase", (Column("paperid", "bigint"), Column("keyphraseid", "bigint"))),
    Table("orders", (Column("id", "integer"), Column("buyer", "integer")),
          foreign_keys=(ForeignKey(("buyer",), "customers", ("id",)),)),
    Table("customers", (Column("id", "integer"), Column("name", "text"))),
    Table("author", (Column("id", "integer"), Column("name", "text"))),
    Table("book", (Column("id", "integer"), Column("title", "text"))),
]


def test_the_repair_is_told_how_a_named_table_joins():
    from vanna_magic.core.diagnose.aliases import undefined_aliases

    sql = "SELECT p.title FROM paper p JOIN venue v ON v.venueid = p.venueid WHERE journal.journalname = 'x'"
    assert undefined_aliases(sql, "postgres", SCHOLAR) == [
        "journal (in journal.journalname) names no table of the query's FROM or JOIN clauses: join journal: "
        "JOIN journal ON p.journalid = journal.journalid or ON v.journalid = journal.journalid"]
    # without the catalog, or with no key to offer, the general advice
    assert undefined_aliases(sql, "postgres")[0].endswith("join the table it stands for")
    sql = "SELECT keyphrase.keyphrasename FROM keyphrase WHERE journal.journalname = 'x'"
    assert undefined_aliases(sql, "postgres", SCHOLAR)[0].endswith("join the table it stands for")
    # a column the named table lacks: its real columns too (no rule joins it: see join_named_tables.sql)
    sql = "SELECT paper.title FROM paper WHERE journal.title = 'x'"
    assert undefined_aliases(sql, "postgres", SCHOLAR) == [
        "journal (in journal.title) names no table of the query's FROM or JOIN clauses: join journal: "
        "JOIN journal ON paper.journalid = journal.journalid; journal has no column title: its columns are "
        "journalid, journalname"]


def test_a_division_by_zero_names_the_divisors_to_guard():
    from vanna_magic.core.diagnose.divisors import zero_divisors

    sql = ("SELECT a, SUM(x) * 1.0 / COALESCE(SUM(y), 1) AS r, b / 2 AS half, b / NULLIF(c, 0) AS safe, "
           "CAST(d AS REAL) / (e) AS q FROM t GROUP BY a")
    assert zero_divisors(sql, "postgres", "22012") == [
        "SUM(y) may be 0: divide by NULLIF(SUM(y), 0) so that those rows give NULL",  # COALESCE(.., 1) is no guard
        "e may be 0: divide by NULLIF(e, 0) so that those rows give NULL"]  # constants and NULLIF need none
    assert zero_divisors(sql, "oracle", "ORA-01476")[0].startswith("SUM(y) may be 0")
    # another error, or SQL that does not parse: nothing to say
    assert zero_divisors(sql, "postgres", "42703") == [] and zero_divisors(sql, "postgres", None) == []
    assert zero_divisors("SELECT FROM WHERE", "postgres", "22012") == []


def test_the_repair_is_told_which_divisor_to_guard_on_postgres(session_factory, postgres_shop):
    model = FakeModel([
        "```sql\nSELECT o.ordered_at, COUNT(*) * 1.0 / SUM(CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END) "
        "AS ratio FROM orders o GROUP BY o.ordered_at\n```",
        "```sql\nSELECT o.ordered_at, COUNT(*) * 1.0 / NULLIF(SUM(CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 "
        "END), 0) AS ratio FROM orders o GROUP BY o.ordered_at\n```"])
    answer = session_factory(model=model, connection=postgres_shop).ask(
        "What is the ratio of orders to cancelled orders per day?")
    assert answer.status == "ok" and "division by zero" in answer.attempts[0].error
    told = model.calls[1][-1]["content"]
    assert ("SUM(CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END) may be 0: divide by "
            "NULLIF(SUM(CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END), 0)") in told

