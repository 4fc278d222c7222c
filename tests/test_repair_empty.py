"""An empty result to a question that expects rows goes back to the model, told only that there were no rows."""

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.diagnose.empty import NO_ROWS, ONLY_NULLS, OUTER_READ, PLACEHOLDER, expects_rows
from vanna_magic.core.errors import FirewallError

EMPTY = "SELECT name FROM products WHERE category = 'electronics'"  # the stored spelling is 'Electronics'
FIXED = "SELECT name FROM products WHERE category = 'Electronics'"


@pytest.mark.parametrize("question, expected", [
    ("Which electronics products do we sell?", True),
    ("List the orders shipped to Oceania in 2024", True),
    ("Is there any order from Oceania?", False),
    ("Are products ever discontinued?", False),
    ("Does any customer have more than 50 orders?", False),
    ("How many orders were cancelled?", False),
    ("What is the number of returned orders per month?", False),
    ("Count the customers per segment", False),
    ("Which customers, if any, ordered twice on one day?", False),
    ("Show whether suppliers from Canada exist", False),
])
def test_which_questions_expect_rows(question, expected):
    assert expects_rows(question) is expected


def test_an_empty_result_is_repaired_and_the_model_learns_nothing_but_that(session_factory):
    model = FakeModel([EMPTY, FIXED])
    answer = session_factory(model=model).ask("Which electronics products do we sell?")
    assert answer.status == "ok" and len(answer.df) == 25 and answer.sql == FIXED
    assert [a.error for a in answer.attempts] == [NO_ROWS, None] and answer.repairs == 1
    feedback = model.calls[1][-1]["content"]
    assert feedback.startswith("That query returned no rows, but the question expects some.")
    assert "Electronics" not in feedback and model.calls[1][-2]["content"] == f"```sql\n{EMPTY}\n```"


@pytest.mark.parametrize("question", ["How many electronics products are discontinued?",
                                      "Are there electronics products from Canada?"])
def test_questions_that_may_rightly_be_empty_are_not_repaired(session_factory, question):
    model = FakeModel(["SELECT product_id FROM products WHERE 1 = 0"])  # a second call would fail the test
    answer = session_factory(model=model).ask(question)
    assert answer.status == "ok" and len(answer.df) == 0 and len(model.calls) == 1


def test_the_setting_turns_the_repair_off_and_no_run_never_repairs(session_factory):
    model = FakeModel([EMPTY])
    answer = session_factory(model=model, repair_empty=False).ask("Which electronics products do we sell?")
    assert len(answer.df) == 0 and len(model.calls) == 1
    model = FakeModel([EMPTY])
    answer = session_factory(model=model).ask("Which electronics products do we sell?", run=False)
    assert answer.status == "not_run" and len(model.calls) == 1


def test_repairs_of_empty_results_are_bounded_by_max_repairs(session_factory):
    model = FakeModel([EMPTY, EMPTY, EMPTY])
    answer = session_factory(model=model, max_repairs=1).ask("Which electronics products do we sell?")
    assert len(model.calls) == 2 and answer.status == "ok" and len(answer.df) == 0


def test_when_the_repair_of_an_empty_result_fails_the_empty_result_stands(session_factory):
    model = FakeModel([EMPTY, "DELETE FROM products"])
    answer = session_factory(model=model, max_repairs=1).ask("Which electronics products do we sell?")
    assert answer.status == "ok" and answer.error is None and len(answer.df) == 0
    assert answer.sql == EMPTY and [a.rule for a in answer.attempts] == [None, "read_only"]
    assert "its repairs failed" in answer.notes[-1]


def test_without_an_empty_result_to_fall_back_on_a_failed_repair_still_raises(session_factory):
    model = FakeModel(["DELETE FROM products", "DELETE FROM products"])
    with pytest.raises(FirewallError):
        session_factory(model=model, max_repairs=1).ask("Which electronics products do we sell?")


def test_a_condition_no_row_can_meet_is_named_in_the_repair(session_factory):
    both = "SELECT name FROM products WHERE category = 'Electronics' AND category = 'Books'"
    model = FakeModel([both, FIXED])
    answer = session_factory(model=model).ask("Which products are electronics or books?")
    assert answer.status == "ok" and answer.sql == FIXED
    feedback = model.calls[1][-1]["content"]
    assert ("category = 'Electronics' AND category = 'Books': no row holds both values; read each from its own "
            "row (a self-join, or one subquery per value)") in feedback
    assert feedback.startswith("That query returned no rows") and feedback.endswith("in a ```sql block.")


@pytest.mark.parametrize("sql, expected", [
    ("SELECT m.a / n.a FROM m, m AS n WHERE m.name = 'x' AND n.name = 'y'", []),  # a self-join: two rows
    ("SELECT a FROM m WHERE name = 'x' OR name = 'y'", []),  # either
    ("SELECT a FROM m WHERE name = 'x' AND name = 'x'", []),  # the same value twice
    ("SELECT a FROM m WHERE m.k = 1 AND 1 = m.k", []),  # the same value, written from both sides
    ("SELECT a FROM m WHERE m.k = '1' AND m.k = 1", []),  # one value, as text and as a number
    ("SELECT a FROM m WHERE name IN ('x', 'y') AND kind = 'z'", []),
    ("SELECT a FROM m WHERE m.k = 1 AND 2 = m.k AND m.j = 3",
     ["m.k = 1 AND 2 = m.k: no row holds both values; read each from its own row (a self-join, or one subquery "
      "per value)"]),
    ("SELECT a FROM m JOIN n ON n.id = m.id AND n.t = 'p' AND n.t = 'q' WHERE m.x = 1",
     ["n.t = 'p' AND n.t = 'q': no row holds both values; read each from its own row (a self-join, or one "
      "subquery per value)"]),
    ("SELECT a FROM m WHERE m.id IN (SELECT id FROM n WHERE t = 'p' AND t = 'q')",
     ["t = 'p' AND t = 'q': no row holds both values; read each from its own row (a self-join, or one subquery "
      "per value)"]),
    ("SELEC nonsense", []),
])
def test_contradictions_are_read_from_the_query_text(sql, expected):
    from vanna_magic.core.diagnose.contradictions import contradictions

    assert contradictions(sql, "postgres") == expected


PLACEHOLDER_HINT = ("is a placeholder, not a value: filter on the value the question names, or leave the filter out "
                    "when it names none")


@pytest.mark.parametrize("sql, question, expected", [
    ("SELECT AVG(rating) FROM business WHERE city ILIKE '%your_city%' AND state = 'YOUR_STATE'",
     "What is the average rating of businesses?", ["'%your_city%'", "'YOUR_STATE'"]),
    ("SELECT a FROM t WHERE name = '<customer name>'", "Orders of a customer", ["'<customer name>'"]),
    ("SELECT a FROM t WHERE name = '{city}' OR code = 'XXX'", "Orders by city", ["'{city}'", "'XXX'"]),
    ("SELECT a FROM t WHERE x = 'placeholder' AND y = 'value here'", "Orders", ["'placeholder'", "'value here'"]),
    ("SELECT a FROM t WHERE name = 'your_city' AND other = 'your_city'", "Orders", ["'your_city'"]),  # once
    ("SELECT a FROM t WHERE city IN (SELECT c FROM u WHERE s = 'my_state')", "Cities", ["'my_state'"]),
    # values, not placeholders
    ("SELECT a FROM t WHERE song = 'Your Song'", "Who sang Your Song?", []),  # the question names it
    ("SELECT a FROM t WHERE genre = 'Mystery' AND s = 'Somerset' AND c = 'Enterprise'", "Mystery books", []),
    ("SELECT a FROM t WHERE code LIKE '%[0-9]%' AND y = 'XX'", "Codes with digits", []),
    ("SELECT a FROM t WHERE n = 3", "Threes", []),
    ("SELECT 'XXX' AS label, a FROM t WHERE n = 3", "Labels", []),  # shown, not filtered on
    ("SELECT a FROM t JOIN u ON u.id = t.id AND u.c = 'your_city' GROUP BY a HAVING MAX(b) <> '<none>'", "A",
     ["'your_city'", "'<none>'"]),
    ("SELEC nonsense", "Anything", []),
])
def test_placeholders_are_read_from_the_query_text(sql, question, expected):
    from vanna_magic.core.diagnose.placeholders import placeholders

    assert placeholders(sql, "postgres", question) == [f"{literal} {PLACEHOLDER_HINT}" for literal in expected]


@pytest.mark.parametrize("dialect", ["sqlite", "postgres", "oracle", "mysql"])
def test_placeholders_are_found_in_every_dialect(dialect):
    from vanna_magic.core.diagnose.placeholders import placeholders

    found = placeholders("SELECT a FROM t WHERE t.city LIKE '%your_city%'", dialect, "average per city")
    assert found == [f"'%your_city%' {PLACEHOLDER_HINT}"]


def test_a_placeholder_is_named_in_the_repair_of_its_empty_result(session_factory):
    guessed = "SELECT name FROM products WHERE category = 'YOUR_CATEGORY'"
    model = FakeModel([guessed, FIXED])
    answer = session_factory(model=model).ask("Which electronics products do we sell?")
    assert answer.status == "ok" and answer.sql == FIXED and answer.repairs == 1
    feedback = model.calls[1][-1]["content"]
    assert f"'YOUR_CATEGORY' {PLACEHOLDER_HINT}" in feedback
    assert feedback.startswith("That query returned no rows") and feedback.endswith("in a ```sql block.")


AVG_EMPTY = "SELECT AVG(unit_price) AS average FROM products WHERE category = 'electronics'"  # one row: NULL
AVG_FIXED = "SELECT AVG(unit_price) AS average FROM products WHERE category = 'Electronics'"


def test_an_aggregate_over_no_rows_is_repaired_like_an_empty_result(session_factory):
    model = FakeModel([AVG_EMPTY, AVG_FIXED])
    answer = session_factory(model=model).ask("What is the average price of electronics products?")
    assert answer.status == "ok" and answer.sql == AVG_FIXED and answer.df["average"].notna().all()
    assert [a.error for a in answer.attempts] == [ONLY_NULLS, None] and answer.repairs == 1
    feedback = model.calls[1][-1]["content"]
    assert feedback.startswith("That query returned only NULLs (nothing matched its filters), but the question "
                               "expects values.\n")


def test_when_the_repair_of_only_nulls_fails_the_null_result_stands(session_factory):
    model = FakeModel([AVG_EMPTY, "DELETE FROM products"])
    answer = session_factory(model=model, max_repairs=1).ask("What is the average price of electronics products?")
    assert answer.status == "ok" and answer.sql == AVG_EMPTY and len(answer.df) == 1
    assert [a.rule for a in answer.attempts] == [None, "read_only"]
    assert answer.df["average"].isna().all() and answer.notes[-1].startswith(ONLY_NULLS + " and its repairs failed")


@pytest.mark.parametrize("sql", [
    "SELECT COUNT(*) AS n FROM products WHERE category = 'electronics'",  # 0 is an answer
    "SELECT name, NULL AS note FROM products WHERE category = 'Electronics'",  # some values are not NULL
])
def test_results_holding_a_value_are_not_repaired(session_factory, sql):
    model = FakeModel([sql])  # a second call would fail the test
    answer = session_factory(model=model).ask("What is the total of electronics products?")
    assert answer.status == "ok" and len(answer.df) >= 1 and len(model.calls) == 1


GUESSED_WITH_ROWS = "SELECT name FROM products WHERE category = 'YOUR_CATEGORY' OR active = 1"


def test_a_placeholder_filter_is_repaired_even_when_the_query_returns_rows(session_factory):
    model = FakeModel([GUESSED_WITH_ROWS, FIXED])
    answer = session_factory(model=model).ask("How many electronics products do we sell?")  # may be empty: no matter
    assert answer.status == "ok" and answer.sql == FIXED and answer.repairs == 1
    assert [a.error for a in answer.attempts] == [PLACEHOLDER, None]
    feedback = model.calls[1][-1]["content"]
    assert feedback.startswith(f"That query filters on a placeholder, not a value.\n'YOUR_CATEGORY' {PLACEHOLDER_HINT}")


def test_a_placeholder_repair_that_fails_keeps_the_result_and_the_setting_turns_it_off(session_factory):
    model = FakeModel([GUESSED_WITH_ROWS, "DELETE FROM products"])
    answer = session_factory(model=model, max_repairs=1).ask("Which electronics products do we sell?")
    assert answer.status == "ok" and answer.sql == GUESSED_WITH_ROWS and len(answer.df) > 0
    assert answer.notes[-1].startswith(PLACEHOLDER + " and its repairs failed")
    model = FakeModel([GUESSED_WITH_ROWS])  # a second call would fail the test
    answer = session_factory(model=model, repair_empty=False).ask("Which electronics products do we sell?")
    assert answer.sql == GUESSED_WITH_ROWS and len(model.calls) == 1


def test_a_failed_query_with_a_placeholder_hears_of_both(session_factory):
    broken = "SELECT name FROM products WHERE category = 'YOUR_CATEGORY' AND colour = 'red'"
    model = FakeModel([broken, FIXED])
    answer = session_factory(model=model).ask("Which electronics products do we sell?")
    assert answer.sql == FIXED
    feedback = model.calls[1][-1]["content"]
    assert feedback.startswith("That query failed: ") and f"'YOUR_CATEGORY' {PLACEHOLDER_HINT}" in feedback


# customers has no product_id: the subquery reads products.product_id, so every product is "ordered"
OUTER_READ_SQL = "SELECT name FROM products WHERE product_id IN (SELECT product_id FROM customers)"
ORDERED = "SELECT name FROM products WHERE product_id IN (SELECT product_id FROM order_items)"


@pytest.mark.parametrize("sql, flagged", [
    (OUTER_READ_SQL, ["customers"]),
    ("SELECT name FROM products p WHERE p.product_id IN (SELECT p.product_id FROM customers c)", ["customers"]),
    ("SELECT name FROM products WHERE product_id IN (SELECT product_id + 0 FROM customers)", ["customers"]),
    ("SELECT name FROM products WHERE product_id IN (SELECT product_id FROM customers c JOIN regions r "
     "ON c.region_id = r.region_id)", ["customers, regions"]),
    # the subquery's own column, a correlated filter, a subquery over a derived table, no subquery
    (ORDERED, []),
    ("SELECT name FROM products p WHERE EXISTS (SELECT 1 FROM order_items i WHERE i.product_id = p.product_id)", []),
    ("SELECT name FROM customers c WHERE customer_id IN (SELECT customer_id FROM orders o "
     "WHERE o.customer_id = c.customer_id)", []),
    ("SELECT name FROM products WHERE product_id IN (SELECT product_id FROM (SELECT 1 AS x) AS d)", []),
    ("SELECT name FROM products WHERE category IN ('Toys', 'Books')", []),
    # a column neither the subquery nor the query around it has: the database says so itself
    ("SELECT name FROM products WHERE product_id IN (SELECT nothing FROM customers)", []),
    ("SELECT name FROM products WHERE product_id IN (SELECT", []),
])
def test_in_subqueries_that_select_the_outer_querys_column_are_found(session_factory, sql, flagged):
    from vanna_magic.core.diagnose.outer_reads import outer_reads

    tables = session_factory().catalog().tables()
    found = outer_reads(sql, "sqlite", tables)
    assert len(found) == len(flagged)
    for line, names in zip(found, flagged):
        assert names in line and "product_id" in line


def test_an_in_subquery_reading_the_outer_column_is_repaired_though_it_returned_rows(session_factory):
    model = FakeModel([OUTER_READ_SQL, ORDERED])
    answer = session_factory(model=model).ask("Which products were ordered?")
    assert answer.status == "ok" and answer.sql == ORDERED and answer.repairs == 1
    assert [a.error for a in answer.attempts] == [OUTER_READ, None]
    feedback = model.calls[1][-1]["content"]
    assert "customers has no column product_id" in feedback and "customer_id" in feedback


def test_an_outer_read_whose_repairs_fail_keeps_its_result_with_a_note(session_factory):
    model = FakeModel([OUTER_READ_SQL, "DELETE FROM products"])
    answer = session_factory(model=model, max_repairs=1).ask("Which products were ordered?")
    assert answer.status == "ok" and answer.sql == OUTER_READ_SQL
    assert answer.notes[-1].startswith(OUTER_READ + " and its repairs failed")
    assert "repaired once" in answer.confidence.reasons  # the failed repair counts against the kept result
