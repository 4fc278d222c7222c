"""The execution match (vanna_magic/core/evaluate/scorer.py) on hand-made results."""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
import pytest

from vanna_magic.core.evaluate.scorer import (
    GoldResult,
    GoldUnavailable,
    compare,
    judge,
    order_matters,
    run_gold,
    sort_key,
)


def frame(columns, rows):
    return pd.DataFrame(rows, columns=columns)


GOLD = frame(["name", "total"], [("Ada", 200.5), ("Bob", 450.0), ("Cy", 145.24)])


def test_the_same_result_matches():
    assert compare(GOLD, GOLD.copy(), ordered=False).correct


def test_column_names_and_order_are_ignored():
    predicted = frame(["sum", "customer"], [(450.0, "Bob"), (145.24, "Cy"), (200.5, "Ada")])
    assert compare(GOLD, predicted, ordered=False).correct


def test_extra_columns_are_accepted_when_the_gold_columns_are_among_them():
    predicted = frame(["id", "name", "city", "total"], [(1, "Ada", "Paris", 200.5), (2, "Bob", "Lyon", 450.0),
                                                        (3, "Cy", "Paris", 145.24)])
    assert compare(GOLD, predicted, ordered=False).correct


def test_missing_columns_are_wrong():
    verdict = compare(GOLD, GOLD[["name"]], ordered=False)
    assert not verdict.correct and verdict.reason == "1 columns, expected at least 2"


def test_a_column_with_other_values_is_wrong():
    predicted = frame(["name", "total"], [("Ada", 200.5), ("Bob", 450.0), ("Cy", 999.0)])
    verdict = compare(GOLD, predicted, ordered=False)
    assert not verdict.correct and "'total'" in verdict.reason


def test_columns_with_the_right_values_combined_wrongly_are_wrong():
    predicted = frame(["name", "total"], [("Ada", 450.0), ("Bob", 200.5), ("Cy", 145.24)])
    verdict = compare(GOLD, predicted, ordered=False)
    assert not verdict.correct and "combine" in verdict.reason


def test_rows_are_a_multiset_duplicates_count():
    gold = frame(["city"], [("Paris",), ("Paris",), ("Lyon",)])
    assert compare(gold, frame(["c"], [("Lyon",), ("Paris",), ("Paris",)]), ordered=False).correct
    assert not compare(gold, frame(["c"], [("Paris",), ("Lyon",)]), ordered=False).correct
    assert not compare(gold, frame(["c"], [("Paris",), ("Lyon",), ("Lyon",)]), ordered=False).correct


def test_identical_columns_in_the_prediction_are_assigned_without_reuse():
    gold = frame(["a", "b"], [(1, 1), (2, 2)])
    assert compare(gold, frame(["x", "y", "z"], [(1, 1, 1), (2, 2, 2)]), ordered=False).correct
    assert not compare(gold, frame(["x"], [(1,), (2,)]), ordered=False).correct


def test_row_order_counts_only_when_ordered():
    reversed_rows = GOLD.iloc[::-1].reset_index(drop=True)
    assert compare(GOLD, reversed_rows, ordered=False).correct
    verdict = compare(GOLD, reversed_rows, ordered=True)
    assert not verdict.correct and "wrong order" in verdict.reason
    assert compare(GOLD, GOLD.copy(), ordered=True).correct


def test_rows_tied_on_the_sort_key_may_come_in_any_order():
    gold = frame(["city", "n"], [("Los Angeles", 3), ("New York", 3), ("San Francisco", 3), ("Miami", 2)])
    ties_reordered = frame(["city_name", "restaurants"],
                           [("New York", 3), ("San Francisco", 3), ("Los Angeles", 3), ("Miami", 2)])
    assert compare(gold, ties_reordered, ordered=True, key=[1]).correct
    # without a known key, or with the key's own order broken, the gold's order stands
    assert not compare(gold, ties_reordered, ordered=True).correct
    assert not compare(gold, ties_reordered, ordered=True, key=[0]).correct
    wrong = frame(["city", "n"], [("Miami", 2), ("Los Angeles", 3), ("New York", 3), ("San Francisco", 3)])
    verdict = compare(gold, wrong, ordered=True, key=[1])
    assert not verdict.correct and "wrong order" in verdict.reason


def test_the_sort_key_is_read_from_the_gold_outer_order_by():
    columns = ["city", "n"]
    assert sort_key("SELECT city, COUNT(*) AS n FROM t GROUP BY city ORDER BY n DESC NULLS LAST", columns,
                    "postgres") == [1]
    assert sort_key("SELECT t.city, COUNT(*) AS n FROM t GROUP BY 1 ORDER BY 2 DESC, t.city", columns,
                    "sqlite") == [1, 0]
    # an expression, a column not selected, a position out of range, no ORDER BY, SQL that does not parse
    for sql in ["SELECT city, n FROM t ORDER BY n * 2", "SELECT city, n FROM t ORDER BY population",
                "SELECT city, n FROM t ORDER BY 3", "SELECT city, n FROM t", "SELEC broken"]:
        assert sort_key(sql, columns, "sqlite") is None


def test_judge_accepts_tied_rows_in_another_order():
    gold_sql = "SELECT city, COUNT(*) AS n FROM t GROUP BY city ORDER BY n DESC"
    gold = frame(["city", "n"], [("Lyon", 2), ("Paris", 2), ("Nice", 1)])
    predicted = frame(["city", "n"], [("Paris", 2), ("Lyon", 2), ("Nice", 1)])
    question = "How many shops in each city, ordered by count?"
    assert judge([GoldResult(gold_sql, gold)], predicted, question, "sqlite").correct
    assert not judge([GoldResult(gold_sql, gold)], predicted.iloc[::-1].reset_index(drop=True), question,
                     "sqlite").correct


def test_order_matters_needs_order_wording_and_an_outer_order_by():
    assert order_matters("SELECT name FROM t ORDER BY name", "List the names ordered alphabetically", "sqlite")
    assert order_matters("SELECT name FROM t ORDER BY n DESC", "Rank the authors by citations", "postgres")
    assert order_matters("SELECT a FROM t UNION SELECT a FROM u ORDER BY a", "Sorted list of a", "sqlite")
    # "top" asks which rows, not in what order
    assert not order_matters("SELECT name FROM t ORDER BY n DESC LIMIT 5", "Top 5 customers by spend", "sqlite")
    # an ORDER BY inside a subquery orders nothing the question sees
    assert not order_matters("SELECT * FROM (SELECT name FROM t ORDER BY name LIMIT 3) s", "names in order", "sqlite")
    assert not order_matters("SELECT name FROM t", "List the names in order", "sqlite")
    assert not order_matters("SELEC broken", "in order", "sqlite")


def test_float_noise_is_tolerated_but_rounding_differences_are_not():
    gold = frame(["x"], [(0.3,), (1 / 3,)])
    assert compare(gold, frame(["x"], [(0.1 + 0.2,), (0.33333333333,)]), ordered=False).correct
    assert not compare(gold, frame(["x"], [(0.3,), (0.33,)]), ordered=False).correct


def test_numbers_compare_across_types():
    gold = frame(["n", "avg"], [(3, Decimal("2.50")), (True, Decimal("1"))])
    predicted = frame(["n", "avg"], [(3.0, 2.5), (1, 1.0)])
    assert compare(gold, predicted, ordered=False).correct


def test_null_none_and_nan_are_one_value():
    gold = frame(["city"], [(None,), ("Paris",)])
    assert compare(gold, frame(["c"], [(math.nan,), ("Paris",)]), ordered=False).correct
    assert compare(gold, pd.DataFrame({"c": pd.array([pd.NA, "Paris"], dtype="string")}), ordered=False).correct
    assert not compare(gold, frame(["c"], [("",), ("Paris",)]), ordered=False).correct


def test_dates_compare_as_iso_text():
    gold = frame(["d"], [(pd.Timestamp("2024-03-01").date(),)])
    assert compare(gold, frame(["d"], [("2024-03-01",)]), ordered=False).correct


def test_empty_results():
    empty = frame(["name"], [])
    assert compare(empty, frame(["other", "columns"], []), ordered=False).correct
    verdict = compare(empty, frame(["name"], [("Ada",)]), ordered=False)
    assert not verdict.correct and verdict.reason == "expected no rows, got 1"
    verdict = compare(GOLD, frame(["name", "total"], []), ordered=False)
    assert not verdict.correct and verdict.reason == "0 rows, expected 3"


def test_any_gold_alternative_may_match():
    by_name = GoldResult("SELECT name FROM c", frame(["name"], [("Ada",), ("Bob",)]))
    by_id = GoldResult("SELECT id FROM c", frame(["id"], [(1,), (2,)]))
    assert judge([by_name, by_id], frame(["id"], [(2,), (1,)]), "Which customers?", "sqlite").correct
    verdict = judge([by_name, by_id], frame(["id"], [(3,), (1,)]), "Which customers?", "sqlite")
    assert not verdict.correct and "'name'" in verdict.reason  # the first alternative's reason


def test_gold_that_errors_is_skipped_and_all_errors_are_a_gold_error():
    broken = GoldResult("SELECT nope FROM c", None, "no such column: nope")
    fine = GoldResult("SELECT name FROM c", frame(["name"], [("Ada",)]))
    assert judge([broken, fine], frame(["n"], [("Ada",)]), "Who?", "sqlite").correct
    with pytest.raises(GoldUnavailable, match="no such column: nope"):
        judge([broken], frame(["n"], [("Ada",)]), "Who?", "sqlite")


def test_run_gold_keeps_failures_and_timeouts_as_reasons(tmp_path):
    import sqlite3

    from vanna_magic.core.data.database import Database

    path = tmp_path / "t.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.execute("INSERT INTO t VALUES (1)")
    db = Database(f"sqlite:///{path}", query_timeout=5)
    forever = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n"
    results = run_gold(["SELECT x FROM t", "SELECT nope FROM t", forever],
                       lambda sql: db.execute(sql, timeout=0.3).frame)
    db.close()
    assert results[0].frame is not None and results[0].error is None
    assert results[1].frame is None and "no such column" in results[1].error
    assert results[2].frame is None and "longer than 0.3 s" in results[2].error
