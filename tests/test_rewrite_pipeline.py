"""Misplaced column references: moved to the only table of their query that has the column, or left alone."""

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.data.schema import Column, ForeignKey, Table
from vanna_magic.core.errors import VannaError
from vanna_magic.core.rewrite import rewrite as requalify

TABLES = [
    Table("review", (Column("rid", "INTEGER"), Column("business_id", "TEXT"), Column("rating", "REAL"),
                     Column("year", "INTEGER"))),
    Table("business", (Column("business_id", "TEXT"), Column("name", "TEXT"), Column("city", "TEXT"))),
    Table("tip", (Column("tip_id", "INTEGER"), Column("business_id", "TEXT"), Column("year", "INTEGER"))),
]


def ask_once(session_factory, path, script: str, sql: str, question: str):
    """The answer to ``question`` on a SQLite file built by ``script``, the model writing ``sql`` (asked once)."""
    import sqlite3

    with sqlite3.connect(path) as db:
        db.executescript(script)
    model = FakeModel([f"```sql\n{sql}\n```"])
    answer = session_factory(model=model, connection=f"sqlite:///{path}").ask(question)
    assert len(model.calls) == 1, "the statement went back to the model"
    return answer


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "oracle", "mysql"])
def test_a_column_on_the_wrong_alias_moves_to_the_one_table_that_has_it(dialect):
    sql = ("SELECT T2.name, AVG(T2.rating) FROM business T2 JOIN review T1 ON T1.business_id = T2.business_id "
           "GROUP BY T2.name")
    fixed, notes = requalify(sql, dialect, TABLES)
    assert "AVG(T1.rating)" in fixed and "T2.name" in fixed
    assert notes == ["column T2.rating read from T1 (review), the only table of its query with a column rating"]


def test_a_table_name_its_query_aliased_becomes_the_alias():
    sql = "SELECT b.name FROM review AS r JOIN business AS b ON r.business_id = b.business_id WHERE review.year = 2021"
    fixed, notes = requalify(sql, "postgresql", TABLES)
    assert "WHERE r.year = 2021" in fixed and len(notes) == 1


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "oracle", "mysql"])
def test_a_qualifier_that_names_nothing_moves_to_the_one_table_with_the_column(dialect):
    # f for fare, a plural for a table's name: no alias or table of that name anywhere
    fixed, notes = requalify("SELECT SUM(r.rating) FROM review", dialect, TABLES)
    assert "SUM(review.rating)" in fixed
    assert notes == ["column r.rating read from review, the only table of its query with a column rating"]
    sql = "SELECT reviews.rating, b.name FROM review JOIN business AS b ON review.business_id = b.business_id"
    fixed, notes = requalify(sql, dialect, TABLES)
    assert fixed.startswith("SELECT review.rating, b.name") and len(notes) == 1
    # inside a subquery whose outer query has no such column
    sql = "SELECT b.name FROM business AS b WHERE EXISTS (SELECT 1 FROM review AS r WHERE x.rating > 4)"
    assert "WHERE r.rating > 4" in requalify(sql, dialect, TABLES)[0]


@pytest.mark.parametrize("sql", [
    # two tables of the query have the column
    "SELECT x.business_id FROM review JOIN business AS b ON review.business_id = b.business_id",
    # the query around the subquery has it too: perhaps a correlated reference
    "SELECT b.name FROM business AS b WHERE EXISTS (SELECT 1 FROM tip AS t WHERE x.business_id = t.business_id)",
    # a source whose columns are unknown might have it
    "SELECT x.rating FROM review JOIN ghost ON review.rid = ghost.rid",
])
def test_a_qualifier_that_names_nothing_is_left_when_the_column_is_not_one_tables(sql):
    assert requalify(sql, "postgresql", TABLES) == (sql, [])


@pytest.mark.parametrize("sql", [
    # year is in review and in tip: which one was meant is not for us to guess
    "SELECT b.year FROM business b JOIN review r ON r.business_id = b.business_id "
    "JOIN tip t ON t.business_id = b.business_id",
    # no table of the query has the column: the database says so, the model repairs
    "SELECT r.likes FROM review r",
    # the table that has it is not in the query: no table is added
    "SELECT b.rating FROM business b",
    # right already
    "SELECT r.rating FROM review r",
    # a correlated reference to the outer query is not this scope's to move
    "SELECT b.name FROM business b WHERE EXISTS (SELECT 1 FROM review r WHERE r.business_id = b.business_id "
    "AND b.rating > 4)",
    # not SQL
    "SELECT rating FROM review WHERE",
    "",
])
def test_what_is_ambiguous_missing_or_unparseable_is_left_alone(sql):
    assert requalify(sql, "sqlite", TABLES) == (sql, [])


def test_columns_of_a_cte_or_subquery_count_as_that_sources_columns():
    sql = ("WITH s AS (SELECT business_id, AVG(rating) AS avg_rating FROM review GROUP BY business_id) "
           "SELECT b.name, b.avg_rating FROM s JOIN business b ON s.business_id = b.business_id")
    fixed, notes = requalify(sql, "sqlite", TABLES)
    assert "s.avg_rating" in fixed and notes[0].startswith("column b.avg_rating read from s,")


def test_each_scope_is_fixed_on_its_own():
    sql = ("SELECT T1.name FROM business T1 WHERE T1.business_id IN "
           "(SELECT T2.business_id FROM review T2 JOIN tip T3 ON T2.business_id = T3.business_id WHERE T3.rating > 3)")
    fixed, notes = requalify(sql, "sqlite", TABLES)
    assert "T2.rating > 3" in fixed and len(notes) == 1


def test_multi_line_sql_stays_multi_line():
    sql = "SELECT T2.rating\nFROM business T2\nJOIN review T1 ON T1.business_id = T2.business_id"
    fixed, _ = requalify(sql, "sqlite", TABLES)
    assert "\n" in fixed and "T1.rating" in fixed


def test_the_pipeline_runs_the_moved_column_and_says_so(session_factory):
    # regions has no email: customers (c) is the only table of the query with it
    model = FakeModel(["```sql\nSELECT r.name, r.email FROM customers c JOIN regions r ON r.region_id = c.region_id "
                       "ORDER BY c.customer_id LIMIT 3\n```"])
    answer = session_factory(model=model).ask("Three customers' regions and emails?")
    assert answer.status == "ok" and list(answer.frame.columns) == ["name", "email"]
    assert "c.email" in answer.sql
    assert any("r.email read from c (customers)" in note for note in answer.notes)
    assert len(model.calls) == 1  # no repair was needed


def test_with_the_setting_off_the_database_error_goes_to_the_repair_loop(session_factory):
    wrong = "```sql\nSELECT r.email FROM customers c JOIN regions r ON r.region_id = c.region_id\n```"
    model = FakeModel([wrong, wrong])
    session = session_factory(model=model, requalify_columns=False, max_repairs=1)
    with pytest.raises(VannaError, match="email"):
        session.ask("Customers' emails by region?")
    assert len(model.calls) == 2 and "That query failed" in model.calls[1][-1]["content"]


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


YELP = [
    Table("business", (Column("bid", "bigint"), Column("business_id", "text"), Column("name", "text"))),
    Table("review", (Column("rid", "bigint"), Column("business_id", "text"), Column("user_id", "text"),
                     Column("rating", "real"))),
    Table("users", (Column("uid", "bigint"), Column("user_id", "text"), Column("name", "text"))),
    Table("orders", (Column("customer_id", "bigint"), Column("customer_code", "varchar(8)"))),
    Table("customers", (Column("customer_id", "integer"), Column("customer_code", "character varying"))),
]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_join_of_a_number_with_a_text_key_uses_the_key_of_the_same_type(dialect):
    sql = "SELECT b.name, AVG(r.rating) FROM business b JOIN review r ON b.bid = r.business_id GROUP BY b.name"
    fixed, notes = requalify(sql, dialect, YELP)
    assert "ON b.business_id = r.business_id" in fixed
    assert notes == ["join key b.bid = r.business_id: b.bid is bigint and r.business_id is text; "
                     "b.business_id used instead of b.bid"]
    # either side, any spelling of the types, in WHERE as in ON
    sql = "SELECT users.name FROM review, users WHERE review.user_id = users.uid AND review.rating > 4"
    fixed, notes = requalify(sql, dialect, [Table(t.name, tuple(Column(c.name, c.type.upper()) for c in t.columns))
                                            for t in YELP])
    assert "review.user_id = users.user_id" in fixed and len(notes) == 1


def test_an_in_subquery_selecting_the_wrong_key_selects_the_key_of_the_same_type():
    sql = "SELECT r.rid FROM review r WHERE r.business_id IN (SELECT bid FROM business WHERE name = 'Cafe')"
    fixed, notes = requalify(sql, "postgresql", YELP)
    assert "IN (SELECT business_id FROM business" in fixed
    assert notes == ["r.business_id IN (SELECT bid ...): r.business_id is text and bid is bigint; the subquery "
                     "selects business_id instead"]
    # unqualified outside, when one table of the query has the column
    fixed, _ = requalify("SELECT rid FROM review WHERE business_id IN (SELECT bid FROM business)", "sqlite", YELP)
    assert "IN (SELECT business_id FROM business)" in fixed
    for sql in ["SELECT rid FROM review WHERE rid IN (SELECT bid FROM business)",  # same kind
                "SELECT rid FROM review WHERE business_id IN (SELECT b.bid FROM business b JOIN users u "
                "ON u.uid = b.bid)",  # a join inside: which table's key is not for us to say
                "SELECT rid FROM review WHERE rating IN (SELECT name FROM users)"]:  # not keys
        assert requalify(sql, "sqlite", YELP) == (sql, [])


@pytest.mark.parametrize("sql", [
    # same kind of type on both sides: whatever it means, it runs
    "SELECT b.name FROM business b JOIN review r ON b.bid = r.rid",
    # users has a text name, but name is no key: joining names is a guess
    "SELECT u.name FROM users u JOIN business b ON u.uid = b.name",
    # both sides could take the other's name: which key was meant is not for us to guess
    "SELECT c.customer_code FROM orders o JOIN customers c ON o.customer_id = c.customer_code",
    # the table has no column of the other side's name and type: nothing to choose
    "SELECT r.rating FROM review r JOIN users u ON r.rating = u.name",
    # a literal is not a join key
    "SELECT b.name FROM business b WHERE b.bid = '3'",
    # a column of a subquery (type unknown) is left alone
    "SELECT b.name FROM business b JOIN (SELECT business_id AS k FROM review) s ON b.bid = s.k",
])
def test_join_keys_that_are_not_clearly_wrong_are_left_alone(sql):
    assert requalify(sql, "postgresql", YELP) == (sql, [])


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "oracle", "mysql"])
def test_a_join_on_a_column_compared_with_itself_compares_it_with_the_joined_table(dialect):
    sql = "SELECT b.name FROM review AS r JOIN business AS b ON r.business_id = r.business_id WHERE r.rating > 4"
    fixed, notes = requalify(sql, dialect, TABLES)
    assert "ON r.business_id = b.business_id WHERE" in fixed
    assert notes == ["join condition r.business_id = r.business_id compares a column with itself (always true); "
                     "r.business_id = b.business_id instead"]
    # both sides on the joined table: the one table joined before it that has the column
    sql = "SELECT b.name FROM review AS r JOIN business AS b ON b.business_id = b.business_id AND b.city = 'Dallas'"
    fixed, notes = requalify(sql, dialect, TABLES)
    assert "ON r.business_id = b.business_id AND b.city = 'Dallas'" in fixed and len(notes) == 1
    # the second join of three, unaliased
    sql = ("SELECT business.name FROM review JOIN business ON review.business_id = review.business_id "
           "JOIN tip ON tip.business_id = business.business_id")
    fixed, _ = requalify(sql, dialect, TABLES)
    assert "JOIN business ON review.business_id = business.business_id JOIN tip" in fixed


@pytest.mark.parametrize("sql", [
    # the joined table has no such column: which column was meant is a guess
    "SELECT b.name FROM review AS r JOIN business AS b ON r.rid = r.rid",
    # both sides on the joined table, and two tables before it have the column
    "SELECT t.year FROM review AS r JOIN business AS b ON r.business_id = b.business_id "
    "JOIN tip AS t ON t.business_id = t.business_id",
    # both sides on the joined table, and no table before it has the column
    "SELECT t.year FROM business AS b JOIN tip AS t ON t.tip_id = t.tip_id",
    # the same name on two tables is a join, not a tautology
    "SELECT b.name FROM review AS r JOIN business AS b ON r.business_id = b.business_id",
])
def test_a_self_comparison_with_no_single_meaning_is_left_alone(sql):
    assert requalify(sql, "postgresql", TABLES) == (sql, [])


def test_the_pipeline_runs_the_join_on_the_right_key_and_says_so(session_factory, tmp_path):
    answer = ask_once(
        session_factory, tmp_path / "yelp.db",
        "CREATE TABLE business (bid INTEGER, business_id TEXT, name TEXT);"
        "CREATE TABLE review (rid INTEGER, business_id TEXT, rating REAL);"
        "INSERT INTO business VALUES (1, 'abc', 'Joe''s Pizza'), (2, 'def', 'Cafe');"
        "INSERT INTO review VALUES (1, 'abc', 4.0), (2, 'abc', 5.0), (3, 'def', 3.0);",
        "SELECT b.name, AVG(r.rating) AS avg_rating FROM business b JOIN review r ON b.bid = r.business_id "
        "GROUP BY b.name ORDER BY b.name", "Average rating of each business?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [["Cafe", 3.0], ["Joe's Pizza", 4.5]]
    assert any(note.startswith("join key b.bid = r.business_id: b.bid is INTEGER and r.business_id is TEXT")
               for note in answer.notes)


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


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "oracle", "mysql"])
def test_a_table_the_query_names_but_never_joined_is_joined_on_its_key(dialect):
    sql = ("SELECT COUNT(DISTINCT keyphrase.keyphrasename) AS n FROM paperkeyphrase JOIN keyphrase "
           "ON paperkeyphrase.keyphraseid = keyphrase.keyphraseid JOIN paper ON paperkeyphrase.paperid = paper.paperid "
           "WHERE journal.journalname = 'IEEE Transactions'")
    fixed, notes = requalify(sql, dialect, SCHOLAR)
    assert "JOIN paper ON paperkeyphrase.paperid = paper.paperid JOIN journal ON paper.journalid = journal.journalid" \
        in fixed
    assert notes == ["table journal was named but not joined: joined on paper.journalid = journal.journalid"]
    # a declared foreign key links columns of different names; an alias of the FROM table is kept
    fixed, notes = requalify("SELECT o.id FROM orders o WHERE customers.name = 'Ada'", dialect, SCHOLAR)
    assert "FROM orders AS o JOIN customers ON o.buyer = customers.id WHERE" in fixed.replace("orders o", "orders AS o")
    # a table outside the default schema is joined with its schema
    tables = [Table(t.name, t.columns, schema="research") for t in SCHOLAR[:2]]
    fixed, _ = requalify("SELECT paper.title FROM paper WHERE journal.journalname = 'x'", dialect, tables)
    assert "JOIN research.journal ON paper.journalid = journal.journalid" in fixed


def test_a_key_several_joined_tables_share_is_taken_from_the_first():
    # business and category are joined on business_id: either one's business_id finds the same reviews
    sql = ("SELECT COUNT(review.rid) FROM business JOIN category ON business.business_id = category.business_id "
           "WHERE review.year = 2021 AND category.category_name = 'Cafe'")
    tables = [*TABLES, Table("category", (Column("id", "INTEGER"), Column("business_id", "TEXT"),
                                          Column("category_name", "TEXT")))]
    fixed, notes = requalify(sql, "postgres", tables)
    assert "JOIN review ON business.business_id = review.business_id WHERE" in fixed
    assert notes == ["table review was named but not joined: joined on business.business_id = review.business_id"]


@pytest.mark.parametrize("sql", [
    # paper and venue both have a journalid, and the query does not equate them: which one is meant is a guess
    "SELECT p.title FROM paper p JOIN venue v ON v.venueid = p.venueid WHERE journal.journalname = 'x'",
    # no key links keyphrase and journal
    "SELECT keyphrase.keyphrasename FROM keyphrase WHERE journal.journalname = 'x'",
    # journal has no column title: not the table meant, whatever was
    "SELECT paper.paperid FROM paper WHERE journal.title = 'x'",
    # jj is no table of the catalog
    "SELECT paper.paperid FROM paper WHERE jj.journalname = 'x'",
    # a correlated subquery names the outer query's table
    "SELECT journal.journalname FROM journal WHERE EXISTS "
    "(SELECT 1 FROM paper WHERE paper.journalid = journal.journalid)",
    # journal is in the query under an alias: the column moves to that alias instead (the rule above)
    "SELECT j.journalname FROM paper JOIN journal j ON j.journalid = paper.journalid WHERE paper.title = 'x'",
    # a bare id is every table's own key, not a link between two tables
    "SELECT author.name FROM author WHERE book.title = 'x'",
])
def test_tables_that_cannot_be_joined_for_sure_are_left_alone(sql):
    assert requalify(sql, "postgres", SCHOLAR) == (sql, [])


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
    # a column the named table lacks: its real columns too (no rule joins it: the name is not there)
    sql = "SELECT paper.title FROM paper WHERE journal.title = 'x'"
    assert requalify(sql, "postgres", SCHOLAR) == (sql, [])
    assert undefined_aliases(sql, "postgres", SCHOLAR) == [
        "journal (in journal.title) names no table of the query's FROM or JOIN clauses: join journal: "
        "JOIN journal ON paper.journalid = journal.journalid; journal has no column title: its columns are "
        "journalid, journalname"]


def test_the_pipeline_joins_the_named_table_and_says_so(session_factory, tmp_path):
    answer = ask_once(
        session_factory, tmp_path / "scholar.db",
        "CREATE TABLE paper (paperid INTEGER, journalid INTEGER, title TEXT);"
        "CREATE TABLE journal (journalid INTEGER, journalname TEXT);"
        "INSERT INTO paper VALUES (1, 10, 'a'), (2, 10, 'b'), (3, 20, 'c');"
        "INSERT INTO journal VALUES (10, 'Nature'), (20, 'Science');",
        "SELECT COUNT(paper.paperid) AS papers FROM paper WHERE journal.journalname = 'Nature'",
        "How many papers did Nature publish?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [[2]]
    assert "table journal was named but not joined: joined on paper.journalid = journal.journalid" in answer.notes


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "oracle", "mysql"])
def test_a_column_its_table_lacks_is_read_from_the_one_table_its_key_links(dialect):
    sql = ("SELECT COUNT(DISTINCT T2.keyphrasename) AS n FROM paper AS T1 JOIN paperkeyphrase AS T2 "
           "ON T1.paperid = T2.paperid WHERE T1.title = 'x'")
    fixed, notes = requalify(sql, dialect, SCHOLAR)
    assert ("COUNT(DISTINCT keyphrase.keyphrasename)" in fixed
            and "ON T1.paperid = T2.paperid JOIN keyphrase ON T2.keyphraseid = keyphrase.keyphraseid WHERE" in fixed)
    assert notes == ["column T2.keyphrasename: paperkeyphrase has no such column; keyphrase has it and is joined on "
                     "T2.keyphraseid = keyphrase.keyphraseid"]
    # a declared foreign key links it too; the table is joined once however often the query reads it
    fixed, notes = requalify("SELECT o.name FROM orders o WHERE o.name LIKE 'A%'", dialect, SCHOLAR)
    assert fixed.replace("orders o", "orders AS o") == (
        "SELECT customers.name FROM orders AS o JOIN customers ON o.buyer = customers.id "
        "WHERE customers.name LIKE 'A%'")
    assert len(notes) == 1


def test_the_neighbour_is_joined_in_the_subquery_that_reads_it():
    tables = [*TABLES, Table("neighbourhood", (Column("id", "INTEGER"), Column("business_id", "TEXT"),
                                               Column("neighbourhood_name", "TEXT")))]
    sql = ("SELECT r.rid FROM review AS r WHERE EXISTS (SELECT 1 FROM business AS b "
           "WHERE b.business_id = r.business_id AND b.neighbourhood_name = 'Downtown')")
    fixed, notes = requalify(sql, "postgres", tables)
    assert fixed == ("SELECT r.rid FROM review AS r WHERE EXISTS(SELECT 1 FROM business AS b JOIN neighbourhood "
                     "ON b.business_id = neighbourhood.business_id WHERE b.business_id = r.business_id AND "
                     "neighbourhood.neighbourhood_name = 'Downtown')")
    assert len(notes) == 1  # the outer query does not join it a second time


TAGGED = [*TABLES,
          Table("category", (Column("id", "INTEGER"), Column("business_id", "TEXT"), Column("label", "TEXT"))),
          Table("tag", (Column("id", "INTEGER"), Column("business_id", "TEXT"), Column("label", "TEXT")))]


@pytest.mark.parametrize("sql", [
    # two tables have a label and both link to business: which one was meant is not known
    "SELECT b.name FROM business AS b WHERE b.label = 'Cafe'",
    # no key links journal to keyphrase
    "SELECT j.keyphrasename FROM journal AS j",
    # a bare id is every table's own key, not a link
    "SELECT a.title FROM author AS a",
    # a table of the query has it: the column may belong there (moved by the first rule when alone)
    "SELECT p.venuename FROM paper AS p JOIN venue AS v ON v.venueid = p.venueid JOIN venue AS w ON w.venueid = 1",
    # a derived table of the query may have it
    "SELECT pk.keyphrasename FROM paperkeyphrase AS pk CROSS JOIN (SELECT * FROM journal) AS j",
    # paperkeyphrase.paperid may repeat (a paper has several keyphrases): counted, the join would count them
    "SELECT COUNT(p.keyphraseid) FROM paper AS p",
    # review.business_id may repeat: read in the SELECT list, the join would repeat the business
    "SELECT b.name, b.rating FROM business AS b WHERE b.rating > 4",
    # a RIGHT JOIN: an added inner join would drop the rows it keeps
    "SELECT pk.keyphrasename FROM paper AS p RIGHT JOIN paperkeyphrase AS pk ON p.paperid = pk.paperid",
])
def test_a_column_no_single_linked_table_has_is_left_alone(sql):
    assert requalify(sql, "postgres", [*SCHOLAR, *TAGGED]) == (sql, [])


def test_the_pipeline_joins_the_table_that_has_the_column_and_says_so(session_factory, tmp_path):
    answer = ask_once(
        session_factory, tmp_path / "yelp.db",
        "CREATE TABLE business (business_id TEXT, name TEXT);"
        "CREATE TABLE category (id INTEGER, business_id TEXT, category_name TEXT);"
        "INSERT INTO business VALUES ('a', 'Blue Cup'), ('b', 'Red Fork');"
        "INSERT INTO category VALUES (1, 'a', 'Cafe'), (2, 'b', 'Diner');",
        "SELECT b.name FROM business AS b WHERE b.category_name = 'Cafe'",
        "Which businesses are cafes?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [["Blue Cup"]]
    assert ("column b.category_name: business has no such column; category has it and is joined on "
            "b.business_id = category.business_id") in answer.notes


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "oracle", "mysql"])
def test_a_named_table_no_key_links_is_joined_through_the_one_table_that_links_both(dialect):
    sql = ("SELECT COUNT(DISTINCT paper.paperid) AS n FROM paper JOIN journal ON paper.journalid = journal.journalid "
           "WHERE journal.journalname = 'TPAMI' AND keyphrase.keyphrasename = 'machine learning'")
    fixed, notes = requalify(sql, dialect, SCHOLAR)
    assert ("ON paper.journalid = journal.journalid JOIN paperkeyphrase ON paper.paperid = paperkeyphrase.paperid "
            "JOIN keyphrase ON paperkeyphrase.keyphraseid = keyphrase.keyphraseid WHERE") in fixed
    assert notes == ["table keyphrase was named but not joined: joined through paperkeyphrase on paper.paperid = "
                     "paperkeyphrase.paperid and paperkeyphrase.keyphraseid = keyphrase.keyphraseid"]


@pytest.mark.parametrize("sql", [
    # read in the SELECT list: each paper would come once per keyphrase
    "SELECT paper.title, keyphrase.keyphrasename FROM paper",
    # no table links journal and keyphrase
    "SELECT journal.journalname FROM journal WHERE keyphrase.keyphrasename = 'x'",
])
def test_a_named_table_without_one_route_or_read_beyond_a_filter_is_left_alone(sql):
    assert requalify(sql, "postgres", SCHOLAR) == (sql, [])
    # two link tables between paper and keyphrase: which one is meant is not known
    tables = [*SCHOLAR, Table("paperkeyphrase2", (Column("paperid", "bigint"), Column("keyphraseid", "bigint")))]
    sql = "SELECT paper.title FROM paper WHERE keyphrase.keyphrasename = 'x'"
    assert requalify(sql, "postgres", tables) == (sql, [])


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "oracle", "mysql"])
def test_an_aggregate_in_group_by_is_left_out(dialect):
    sql = ("SELECT SUM(CASE WHEN day IN ('Saturday', 'Sunday') THEN count ELSE 0 END) AS weekend, "
           "SUM(count) AS total FROM checkin GROUP BY weekend, total")
    fixed, notes = requalify(sql, dialect, CHECKIN)
    assert "GROUP BY" not in fixed and fixed.endswith("AS total FROM checkin")
    assert notes == ["weekend, total left out of GROUP BY: an aggregate cannot be grouped by"]
    fixed, notes = requalify("SELECT day, COUNT(*) AS n FROM checkin GROUP BY day, n", dialect, CHECKIN)
    assert fixed == "SELECT day, COUNT(*) AS n FROM checkin GROUP BY day" and len(notes) == 1
    # a table's column of that name is grouped by as written
    sql = "SELECT day, SUM(count) AS count FROM checkin GROUP BY day, count"
    assert requalify(sql, dialect, CHECKIN) == (sql, [])


STUDENT = [Table("student", (Column("student_id", "bigint"), Column("name", "text"), Column("total_credit", "bigint")))]


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "oracle", "mysql"])
def test_columns_read_beside_an_aggregate_without_group_by_are_grouped_by(dialect):
    sql = "SELECT s.student_id, s.name AS who, SUM(s.total_credit) AS credits FROM student s ORDER BY credits DESC"
    fixed, notes = requalify(sql, dialect, STUDENT)
    assert fixed.endswith(" GROUP BY s.student_id, s.name ORDER BY credits DESC")
    assert notes == ["GROUP BY s.student_id, s.name added: columns read beside an aggregate are grouped by"]


@pytest.mark.parametrize("sql", [
    "SELECT name, MAX(total_credit) FROM student",  # SQLite: the name of the student with the most credits
    "SELECT COUNT(*), SUM(total_credit) FROM student",  # aggregates only
    "SELECT student_id, SUM(total_credit) OVER () FROM student",  # a window, not a group
    "SELECT DISTINCT student_id, COUNT(*) OVER (PARTITION BY name) FROM student",
    "SELECT name, COUNT(*) FROM student GROUP BY name",  # grouped already
    "SELECT name, (SELECT COUNT(*) FROM student) FROM student",  # the aggregate is the subquery's
])
def test_queries_that_need_no_group_by_are_left_alone(sql):
    assert requalify(sql, "postgres", STUDENT) == (sql, [])


YEARS = [Table("review", (Column("rid", "bigint"), Column("year", "bigint"), Column("created", "date"),
                          Column("label_year", "text")))]


@pytest.mark.parametrize("dialect, sql", [
    ("postgres", "SELECT EXTRACT(YEAR FROM r.year) AS y, COUNT(*) FROM review r GROUP BY EXTRACT(YEAR FROM r.year)"),
    ("oracle", "SELECT EXTRACT(YEAR FROM r.year) AS y, COUNT(*) FROM review r GROUP BY EXTRACT(YEAR FROM r.year)"),
    ("sqlite", "SELECT strftime('%Y', r.year) AS y, COUNT(*) FROM review r GROUP BY strftime('%Y', r.year)"),
    ("mysql", "SELECT YEAR(r.year) AS y, COUNT(*) FROM review r GROUP BY YEAR(r.year)"),
])
def test_the_year_of_a_year_number_is_the_number(dialect, sql):
    fixed, notes = requalify(sql, dialect, YEARS)
    assert fixed.startswith("SELECT r.year AS y, COUNT(*) FROM review") and fixed.endswith("GROUP BY r.year")
    assert notes == ["the year of r.year read as r.year: it holds years (bigint), not dates"]


@pytest.mark.parametrize("sql", [
    "SELECT EXTRACT(YEAR FROM created) FROM review",  # a date
    "SELECT EXTRACT(MONTH FROM year) FROM review",  # not the year
    "SELECT EXTRACT(YEAR FROM label_year) FROM review",  # text: not known to hold numbers
    "SELECT EXTRACT(YEAR FROM rid) FROM review",  # a number, not named year
])
def test_other_date_parts_and_columns_are_left_alone(sql):
    assert requalify(sql, "postgres", YEARS) == (sql, [])


COURSES = [Table("course", (Column("course_id", "bigint"), Column("name", "text"), Column("has_exams", "boolean"))),
           Table("course_offering", (Column("offering_id", "bigint"), Column("course_id", "bigint"),
                                     Column("has_final_project", "boolean")))]


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "oracle", "mysql"])
def test_a_table_name_joined_to_its_column_with_an_underscore_is_read_from_that_table(dialect):
    sql = ("SELECT COUNT(*) FROM course_offering JOIN course ON course_offering.course_id = course.course_id "
           "WHERE course_offering.has_final_project OR course_has_exams")
    fixed, notes = requalify(sql, dialect, COURSES)
    assert fixed.endswith("WHERE course_offering.has_final_project OR course.has_exams")
    assert notes == ["column course_has_exams read as course.has_exams: no table of its query has a column "
                     "course_has_exams, and course has has_exams"]
    fixed, notes = requalify("SELECT c_name FROM course AS c", dialect, COURSES)  # an alias too
    assert fixed == "SELECT c.name FROM course" + (" c" if dialect == "oracle" else " AS c")
    assert notes == ["column c_name read as c.name: no table of its query has a column c_name, and c has name"]


@pytest.mark.parametrize("sql", [
    "SELECT course_has_final_project FROM course",  # course has no has_final_project: the database says so
    "SELECT course_has_exams FROM course_offering",  # course is not in the query
    "SELECT course_name AS course_name FROM course",  # an output name
    "SELECT x.course_has_exams FROM (SELECT has_exams AS course_has_exams FROM course) AS x",
    "SELECT course_has_exams FROM (SELECT has_exams AS course_has_exams FROM course) AS x",
    # in a subquery whose own table has it (sqlglot gives the outer query its unqualified columns too)
    "SELECT name FROM course WHERE course_id IN (SELECT course_id FROM offering WHERE course_has_exams)",
    # in a subquery, naming a table of the query around it: left for the database and the repair
    "SELECT name FROM course WHERE course_id IN (SELECT course_id FROM course_offering WHERE course_has_exams)",
    "SELECT COUNT(*) FROM course JOIN mystery ON mystery.id = course.course_id WHERE course_has_exams",  # unknown
])
def test_underscored_names_that_do_not_split_on_one_table_are_left_alone(sql):
    tables = [*COURSES, Table("offering", (Column("course_id", "bigint"), Column("course_has_exams", "boolean")))]
    assert requalify(sql, "postgres", tables) == (sql, [])


def test_the_pipeline_reads_an_underscored_table_column_from_its_table(session_factory, tmp_path):
    answer = ask_once(session_factory, tmp_path / "a.db",
                      "CREATE TABLE course (course_id INTEGER, has_exams INTEGER);"
                      "CREATE TABLE course_offering (offering_id INTEGER, course_id INTEGER);"
                      "INSERT INTO course VALUES (1, 1), (2, 0);"
                      "INSERT INTO course_offering VALUES (10, 1), (11, 1), (12, 2);",
                      "SELECT COUNT(*) AS offerings FROM course_offering JOIN course "
                      "ON course_offering.course_id = course.course_id WHERE course_has_exams = 1",
                      "How many course offerings have exams?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [[2]]
    assert any(note.startswith("column course_has_exams read as course.has_exams") for note in answer.notes)


def test_the_pipeline_runs_the_group_by_fixes_and_the_link_table(session_factory, tmp_path):
    script = ("CREATE TABLE paper (paperid INTEGER, title TEXT);"
              "CREATE TABLE keyphrase (keyphraseid INTEGER, keyphrasename TEXT);"
              "CREATE TABLE paperkeyphrase (paperid INTEGER, keyphraseid INTEGER);"
              "INSERT INTO paper VALUES (1, 'a'), (2, 'b'), (3, 'c');"
              "INSERT INTO keyphrase VALUES (10, 'machine learning'), (20, 'databases');"
              "INSERT INTO paperkeyphrase VALUES (1, 10), (2, 10), (2, 20), (3, 20);")
    answer = ask_once(session_factory, tmp_path / "a.db", script,
                      "SELECT COUNT(DISTINCT paper.paperid) AS papers FROM paper "
                      "WHERE keyphrase.keyphrasename = 'machine learning'",
                      "How many papers are about machine learning?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [[2]]
    answer = ask_once(session_factory, tmp_path / "b.db", script,
                      "SELECT COUNT(*) AS links, COUNT(DISTINCT paperid) AS papers FROM paperkeyphrase "
                      "GROUP BY links, papers",
                      "How many links and papers are there?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [[4, 3]]
    assert "links, papers left out of GROUP BY: an aggregate cannot be grouped by" in answer.notes
    answer = ask_once(session_factory, tmp_path / "c.db", script,
                      "SELECT paperid, COUNT(keyphraseid) AS keyphrases FROM paperkeyphrase ORDER BY paperid",
                      "How many keyphrases has each paper?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [[1, 1], [2, 2], [3, 1]]
    answer = ask_once(session_factory, tmp_path / "d.db", "CREATE TABLE review (rid INTEGER, year INTEGER);"
                      "INSERT INTO review VALUES (1, 2021), (2, 2021), (3, 2022);",
                      "SELECT COUNT(*) AS reviews FROM review WHERE strftime('%Y', year) = '2021'",
                      "How many reviews were posted in 2021?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [[2]]  # 0 without the fix


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


ADVISING = [
    Table("student_record", (Column("student_id", "bigint"), Column("course_id", "bigint"), Column("grade", "text"))),
    Table("course_tags_count", (Column("course_id", "bigint"), Column("participation", "bigint"))),
    Table("course", (Column("course_id", "bigint"), Column("name", "text"), Column("num_enrolled", "bigint"))),
]


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "oracle", "mysql"])
def test_a_column_the_tables_are_joined_on_is_read_from_one_of_them(dialect):
    sql = ("SELECT course_id, SUM(t.participation) AS n FROM student_record s "
           "JOIN course_tags_count t ON s.course_id = t.course_id GROUP BY course_id")
    fixed, notes = requalify(sql, dialect, ADVISING)
    assert "SELECT s.course_id, SUM(t.participation)" in fixed and fixed.endswith("GROUP BY s.course_id")
    assert notes == ["column course_id read from s: s, t all have it and the query joins them on it"]
    # where the query reads it qualified elsewhere, from that table (PostgreSQL groups by what is written)
    fixed, _ = requalify(sql.replace("GROUP BY course_id", "GROUP BY t.course_id"), dialect, ADVISING)
    assert "SELECT t.course_id, SUM(t.participation)" in fixed
    # the first table of a LEFT JOIN keeps its rows: its key is never NULL
    fixed, _ = requalify("SELECT course_id FROM course c LEFT JOIN student_record s ON c.course_id = s.course_id",
                         dialect, ADVISING)
    assert fixed.startswith("SELECT c.course_id FROM course")


@pytest.mark.parametrize("sql", [
    # not joined on it: the two course_id may differ
    "SELECT course_id FROM student_record s JOIN course c ON s.student_id = c.course_id",
    # a RIGHT JOIN: the first table's key may be NULL where the other's is not
    "SELECT course_id FROM student_record s RIGHT JOIN course c ON s.course_id = c.course_id",
    # course_id is an output name of something else
    "SELECT COUNT(*) AS course_id FROM student_record s JOIN course c ON s.course_id = c.course_id "
    "ORDER BY course_id",
    # read qualified from both tables elsewhere: which one the query means is not for us to say
    "SELECT course_id, s.course_id, c.course_id FROM student_record s JOIN course c ON s.course_id = c.course_id",
    # a table outside the catalog may have a course_id too
    "SELECT course_id FROM student_record s JOIN elsewhere e ON s.course_id = e.course_id",
])
def test_columns_several_tables_have_are_left_alone_unless_joined_on(sql):
    assert requalify(sql, "postgres", ADVISING) == (sql, [])


def test_the_pipeline_runs_the_ambiguous_key_and_says_so(session_factory, tmp_path):
    answer = ask_once(
        session_factory, tmp_path / "advising.db",
        "CREATE TABLE course (course_id INTEGER, name TEXT);"
        "CREATE TABLE student_record (student_id INTEGER, course_id INTEGER);"
        "INSERT INTO course VALUES (1, 'Algebra'), (2, 'Poetry');"
        "INSERT INTO student_record VALUES (10, 1), (11, 1), (12, 2);",
        "SELECT course_id, COUNT(*) AS students FROM course c JOIN student_record s ON c.course_id = s.course_id "
        "GROUP BY course_id ORDER BY course_id", "How many students per course?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [[1, 2], [2, 1]]
    assert "column course_id read from c: c, s all have it and the query joins them on it" in answer.notes


CHECKIN = [Table("checkin", (Column("cid", "bigint"), Column("day", "text"), Column("count", "bigint")))]


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "oracle", "mysql"])
def test_an_output_name_used_in_its_own_select_is_written_out(dialect):
    sql = ("SELECT SUM(CASE WHEN day = 'Sunday' THEN count ELSE 0 END) AS weekend, SUM(count) AS total, "
           "weekend * 1.0 / NULLIF(total, 0) AS share FROM checkin")
    fixed, notes = requalify(sql, dialect, CHECKIN)
    assert "(SUM(CASE WHEN day = 'Sunday' THEN count ELSE 0 END)) * 1.0 / NULLIF((SUM(count)), 0) AS share" in fixed
    assert notes == ["weekend is an output name of its own SELECT: its expression written out where it is used",
                     "total is an output name of its own SELECT: its expression written out where it is used"]
    # a chain is written out in the order of the SELECT list
    fixed, _ = requalify("SELECT COUNT(*) AS n, n + 1 AS m, m * 2 AS k FROM checkin", dialect, CHECKIN)
    assert fixed == "SELECT COUNT(*) AS n, (COUNT(*)) + 1 AS m, ((COUNT(*)) + 1) * 2 AS k FROM checkin"
    # in HAVING (PostgreSQL has no output names there) as in the SELECT list
    fixed, _ = requalify("SELECT day, COUNT(*) AS n FROM checkin GROUP BY day HAVING n > 2", dialect, CHECKIN)
    assert fixed.endswith("HAVING (COUNT(*)) > 2")


@pytest.mark.parametrize("sql", [
    # day is a column of checkin: the WHERE reads the column, whatever the output is called
    "SELECT count AS day FROM checkin WHERE day = 'Sunday'",
    # GROUP BY and ORDER BY may name outputs
    "SELECT day AS d, COUNT(*) AS n FROM checkin GROUP BY d ORDER BY n DESC",
    # outputs that read each other: no order to write them out in
    "SELECT m - 1 AS n, n + 1 AS m FROM checkin",
    # a table outside the catalog may have a column of that name
    "SELECT COUNT(*) AS n, n + 1 AS m FROM elsewhere",
    # a subquery's own output names are its own
    "SELECT x.n FROM (SELECT COUNT(*) AS n FROM checkin) x WHERE x.n > 1",
])
def test_output_names_that_may_be_meant_are_left_alone(sql):
    assert requalify(sql, "postgres", CHECKIN) == (sql, [])


def test_the_pipeline_writes_out_an_output_name_and_says_so(session_factory, tmp_path):
    answer = ask_once(
        session_factory, tmp_path / "checkins.db",
        "CREATE TABLE checkin (cid INTEGER, day TEXT, count INTEGER);"
        "INSERT INTO checkin VALUES (1, 'Sunday', 3), (2, 'Monday', 5), (3, 'Saturday', 2);",
        "SELECT SUM(CASE WHEN day IN ('Saturday', 'Sunday') THEN count ELSE 0 END) AS weekend, "
        "SUM(CASE WHEN day NOT IN ('Saturday', 'Sunday') THEN count ELSE 0 END) AS weekday, "
        "weekend * 1.0 / weekday AS ratio FROM checkin", "Ratio of weekend to weekday check-ins?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [[5, 5, 1.0]]
    assert "weekend is an output name of its own SELECT: its expression written out where it is used" in answer.notes


RATED = [Table("restaurant", (Column("id", "bigint"), Column("rating", "real"), Column("city", "text")))]


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "oracle", "mysql"])
def test_a_where_that_keeps_only_the_rows_a_ratio_counts_is_taken_out(dialect):
    sql = ("SELECT CAST(COUNT(CASE WHEN rating > 4.5 THEN 1 END) AS REAL) / COUNT(*) AS ratio FROM restaurant "
           "WHERE rating > 4.5")
    fixed, notes = requalify(sql, dialect, RATED)
    assert "WHERE" not in fixed and "COUNT(CASE WHEN rating > 4.5 THEN 1 END)" in fixed
    assert notes == ["rating > 4.5 taken out of WHERE: it kept only the rows the ratio's numerator counts, which "
                     "made the ratio 1"]
    # other conditions keep filtering; grouped ratios too
    sql = ("SELECT city, SUM(CASE WHEN rating > 4.5 THEN 1 ELSE 0 END) * 1.0 / COUNT(*) AS ratio FROM restaurant "
           "WHERE rating > 4.5 AND city <> 'Paris' GROUP BY city")
    fixed, _ = requalify(sql, dialect, RATED)
    assert "FROM restaurant WHERE city <> 'Paris' GROUP BY city" in fixed


@pytest.mark.parametrize("sql", [
    # the total comes from a subquery the WHERE does not filter: the ratio is right
    "SELECT COUNT(CASE WHEN rating > 4.5 THEN 1 END) * 1.0 / (SELECT COUNT(*) FROM restaurant) FROM restaurant "
    "WHERE rating > 4.5",
    # another aggregate of the SELECT list still needs the WHERE
    "SELECT COUNT(*) AS n, COUNT(CASE WHEN rating > 4.5 THEN 1 END) * 1.0 / COUNT(*) FROM restaurant "
    "WHERE rating > 4.5",
    # each side counts its own condition; the WHERE keeps the rows of both
    "SELECT SUM(CASE WHEN city = 'CA' THEN 1 ELSE 0 END) * 1.0 / SUM(CASE WHEN city = 'NY' THEN 1 ELSE 0 END) "
    "FROM restaurant WHERE city IN ('CA', 'NY')",
    # the denominator counts the condition too
    "SELECT SUM(CASE WHEN rating > 4.5 THEN 1 ELSE 0 END) * 1.0 / SUM(CASE WHEN rating > 4.5 THEN 2 ELSE 1 END) "
    "FROM restaurant WHERE rating > 4.5",
    # no division
    "SELECT SUM(CASE WHEN rating > 4.5 THEN 1 ELSE 0 END) FROM restaurant WHERE rating > 4.5",
])
def test_ratios_whose_where_is_not_a_numerators_condition_are_left_alone(sql):
    assert requalify(sql, "postgres", RATED) == (sql, [])


def test_the_pipeline_counts_the_ratio_over_all_rows_and_says_so(session_factory, tmp_path):
    answer = ask_once(
        session_factory, tmp_path / "r.db",
        "CREATE TABLE restaurant (id INTEGER, rating REAL, city TEXT);"
        "INSERT INTO restaurant VALUES (1, 4.8, 'a'), (2, 3.0, 'a'), (3, 4.0, 'b'), (4, 4.9, 'b');",
        "SELECT CAST(COUNT(CASE WHEN rating > 4.5 THEN 1 END) AS REAL) / COUNT(*) AS ratio FROM restaurant "
        "WHERE rating > 4.5", "What is the ratio of restaurants rated above 4.5 to all restaurants?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [[0.5]]  # 1.0 without the fix
    assert any(note.startswith("rating > 4.5 taken out of WHERE") for note in answer.notes)


BUSINESSES = [*RATED, Table("business", (Column("bid", "bigint"), Column("business_id", "text"),
                                         Column("state", "text"), Column("phone", "text")))]


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "oracle", "mysql"])
def test_a_ratio_of_two_counts_of_the_same_rows_divides_by_all_rows(dialect):
    fixed, notes = requalify("SELECT CAST(COUNT(*) AS REAL) / COUNT(DISTINCT restaurant.id) AS ratio FROM restaurant "
                             "WHERE rating > 4.5", dialect, BUSINESSES)
    assert "/ (SELECT COUNT(*) FROM restaurant) AS ratio FROM restaurant WHERE rating > 4.5" in fixed
    assert notes == ["COUNT(DISTINCT restaurant.id) in the ratio's denominator counted the same rows as its numerator "
                     "(the ratio was 1): it counts all of restaurant, (SELECT COUNT(*) FROM restaurant)"]
    # a group over all rows, the table's key named after its initial (bid) or after it (business_id), NULLIF
    fixed, _ = requalify("SELECT state, COUNT(*) * 1.0 / COUNT(bid) AS share FROM business GROUP BY state",
                         dialect, BUSINESSES)
    assert fixed.endswith("/ (SELECT COUNT(*) FROM business) AS share FROM business GROUP BY state")
    fixed, _ = requalify("SELECT state, CAST(COUNT(b.business_id) AS FLOAT) / NULLIF(COUNT(*), 0) AS share "
                         "FROM business AS b GROUP BY state", dialect, BUSINESSES)
    assert "/ NULLIF((SELECT COUNT(*) FROM business), 0) AS share FROM business" in fixed


@pytest.mark.parametrize("sql", [
    "SELECT COUNT(phone) * 1.0 / COUNT(*) FROM business WHERE state = 'CA'",  # a real share: phones among rows
    "SELECT COUNT(*) * 1.0 / COUNT(*) FROM business",  # no WHERE, no GROUP BY: no part of a whole
    "SELECT state, COUNT(*) * 1.0 / COUNT(*) FROM business WHERE phone IS NULL GROUP BY state",  # both: per group?
    "SELECT COUNT(*) / COUNT(bid) FROM business WHERE state = 'CA'",  # integer division: the total would give 0
    "SELECT COUNT(*) * 1.0 / COUNT(bid) FROM business JOIN restaurant ON id = bid WHERE state = 'CA'",  # a join
    "SELECT SUM(CASE WHEN state = 'CA' THEN 1 ELSE 0 END) * 1.0 / COUNT(*) FROM business GROUP BY phone",  # a part
    "SELECT COUNT(*) * 1.0 / (SELECT COUNT(*) FROM business) FROM business WHERE state = 'CA'",  # right already
    "SELECT COUNT(*) * 1.0 / COUNT(*) FILTER (WHERE phone IS NULL) FROM business WHERE state = 'CA'",
    "SELECT COUNT(*) * 1.0 / COUNT(*) FROM mystery WHERE x = 1",  # a table the schema does not know
])
def test_ratios_of_other_counts_are_left_alone(sql):
    assert requalify(sql, "postgres", BUSINESSES) == (sql, [])


def test_the_pipeline_divides_a_count_by_all_rows_and_says_so(session_factory, tmp_path):
    answer = ask_once(
        session_factory, tmp_path / "r.db",
        "CREATE TABLE restaurant (id INTEGER, rating REAL, city TEXT);"
        "INSERT INTO restaurant VALUES (1, 4.8, 'a'), (2, 3.0, 'a'), (3, 4.0, 'b'), (4, 4.9, 'b');",
        "SELECT COUNT(*) * 1.0 / COUNT(id) AS ratio FROM restaurant WHERE rating > 4.5",
        "What is the ratio of restaurants rated above 4.5 to all restaurants?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [[0.5]]  # 1.0 without the fix
    assert any(note.startswith("COUNT(id) in the ratio's denominator") for note in answer.notes)


PREFIXED = [
    Table("business", (Column("bid", "INTEGER"), Column("business_id", "TEXT"), Column("name", "TEXT"))),
    Table("neighbourhood", (Column("id", "INTEGER"), Column("business_id", "TEXT"),
                            Column("neighbourhood_name", "TEXT"))),
    Table("review", (Column("rid", "INTEGER"), Column("business_id", "TEXT"), Column("user_id", "TEXT"))),
    Table("users", (Column("user_id", "TEXT"), Column("user_name", "TEXT"))),
    Table("venue", (Column("venueid", "INTEGER"), Column("venuename", "TEXT"))),
    Table("paper", (Column("paperid", "INTEGER"), Column("venueid", "INTEGER"), Column("title", "TEXT"))),
]


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "oracle", "mysql"])
def test_a_column_written_without_its_tables_name_in_front_is_read_as_the_tables_column(dialect):
    sql = ("SELECT b.name FROM business AS b JOIN neighbourhood AS n ON b.business_id = n.business_id "
           "WHERE n.name = 'Downtown'")
    fixed, notes = requalify(sql, dialect, PREFIXED)
    assert "WHERE n.neighbourhood_name = 'Downtown'" in fixed and "SELECT b.name" in fixed
    assert notes == ["column n.name read as n.neighbourhood_name: neighbourhood has no column name"]
    # no underscore (venuename), and a plural table whose columns use the singular (users: user_name)
    fixed, notes = requalify("SELECT v.name, COUNT(*) FROM paper p JOIN venue v ON p.venueid = v.venueid "
                             "GROUP BY v.name", dialect, PREFIXED)
    assert "SELECT v.venuename, COUNT(*)" in fixed and "GROUP BY v.venuename" in fixed and len(notes) == 2
    fixed, _ = requalify("SELECT users.name FROM users", dialect, PREFIXED)
    assert fixed == "SELECT users.user_name FROM users"


def test_a_table_named_without_its_prefix_and_never_joined_is_joined_without_making_a_column_ambiguous():
    sql = ("SELECT u.user_id, COUNT(r.rid) AS n FROM users AS u JOIN review AS r ON u.user_id = r.user_id "
           "WHERE r.business_id IN (SELECT business_id FROM business WHERE neighbourhood.name ILIKE 'Downtown') "
           "GROUP BY u.user_id")
    fixed, notes = requalify(sql, "postgres", PREFIXED)
    assert ("IN (SELECT business.business_id FROM business JOIN neighbourhood ON business.business_id = "
            "neighbourhood.business_id WHERE neighbourhood.neighbourhood_name ILIKE 'Downtown')") in fixed
    assert notes == ["column neighbourhood.name read as neighbourhood.neighbourhood_name: neighbourhood has no "
                     "column name", "table neighbourhood was named but not joined: joined on business.business_id = "
                     "neighbourhood.business_id"]
    # an output name stays the query's own, even when the joined table has a column of that name
    sql = ("SELECT name, COUNT(*) AS business_id FROM business WHERE neighbourhood.name = 'Downtown' "
           "GROUP BY name ORDER BY business_id")
    fixed, _ = requalify(sql, "postgres", PREFIXED)
    assert "JOIN neighbourhood" in fixed and fixed.endswith("GROUP BY name ORDER BY business_id")


@pytest.mark.parametrize("sql", [
    "SELECT b.name FROM business AS b",  # the table has the column
    "SELECT n.title FROM neighbourhood AS n",  # no neighbourhood_title either: for the database and the repair
    "WITH n AS (SELECT business_id FROM neighbourhood) SELECT n.name FROM n",  # a CTE's columns are its own
])
def test_a_column_no_prefixed_column_explains_is_left_alone(sql):
    assert requalify(sql, "postgres", PREFIXED) == (sql, [])


def test_a_column_two_prefixed_columns_could_be_is_left_alone():
    tables = [Table("venue", (Column("venueid", "INTEGER"), Column("venuename", "TEXT"),
                              Column("venue_name", "TEXT")))]
    assert requalify("SELECT v.name FROM venue AS v", "postgres", tables) == ("SELECT v.name FROM venue AS v", [])


def test_the_pipeline_reads_the_prefixed_column_of_the_neighbour_it_joins(session_factory, tmp_path):
    answer = ask_once(
        session_factory, tmp_path / "yelp.db",
        "CREATE TABLE business (business_id TEXT, name TEXT);"
        "CREATE TABLE neighbourhood (id INTEGER, business_id TEXT, neighbourhood_name TEXT);"
        "INSERT INTO business VALUES ('a', 'Blue Cup'), ('b', 'Red Fork');"
        "INSERT INTO neighbourhood VALUES (1, 'a', 'Downtown'), (2, 'b', 'Old Town');",
        "SELECT name FROM business WHERE business_id IN (SELECT business_id FROM business "
        "WHERE neighbourhood.name = 'Downtown')",
        "Which businesses are downtown?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [["Blue Cup"]]
    assert "column neighbourhood.name read as neighbourhood.neighbourhood_name: neighbourhood has no column name" \
        in answer.notes


def test_a_table_the_catalog_lacks_is_named_with_the_tables_there_are(session_factory):
    model = FakeModel(["```sql\nSELECT COUNT(*) AS n FROM order_lines\n```",
                       "```sql\nSELECT COUNT(*) AS n FROM order_items\n```"])
    answer = session_factory(model=model).ask("How many order lines are there?")
    assert answer.status == "ok" and answer.repairs == 1
    told = model.calls[1][-1]["content"]
    assert "there is no table order_lines; the tables are " in told and "order_items" in told
