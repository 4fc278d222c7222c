"""Zero false positives: every defog-dev gold query passes the firewall and returns the same rows after it.

The benchmark is committed in ``bench/data/defog-dev``; these tests fail, never skip, when it is missing.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from tests.defog import DEFOG, database_script, expand, gold_queries, split_statements
from vanna_magic.core.guard import Firewall

BIG_CAP = 10**6  # larger than any table of the benchmark: the rewrite must not change the rows


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_every_gold_query_is_accepted(dialect):
    assert DEFOG.is_dir(), f"the defog-dev benchmark is missing at {DEFOG}"
    golds = gold_queries(dialect)
    assert len({g.row for g in golds}) == 190
    firewall = Firewall(dialect, 1000)
    rejected = [(g.id, v.rule, v.message) for g in golds if not (v := firewall.check(g.sql)).allowed]
    assert rejected == []


def _same_rows(expected: list, actual: list) -> bool:
    # Without an ORDER BY the database may return rows in any order: compare as multisets.
    return expected == actual or Counter(map(repr, expected)) == Counter(map(repr, actual))


def test_sqlite_gold_queries_return_the_same_rows_after_the_rewrite(tmp_path):
    firewall = Firewall("sqlite", BIG_CAP)
    golds = gold_queries("sqlite")
    connections = {}
    try:
        for db in sorted({g.db for g in golds}):
            path = tmp_path / f"{db}.sqlite"
            with sqlite3.connect(path) as setup:
                setup.executescript(database_script(db, "sqlite"))
            connections[db] = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        different = []
        for gold in golds:
            conn = connections[gold.db]
            expected = conn.execute(gold.sql).fetchall()
            actual = conn.execute(firewall.enforce(gold.sql)).fetchall()
            if not _same_rows(expected, actual):
                different.append(gold.id)
        assert different == []
        assert sum(len(c.execute("SELECT name FROM sqlite_master").fetchall()) for c in connections.values()) > 7
    finally:
        for conn in connections.values():
            conn.close()


@pytest.mark.postgres
def test_postgres_gold_queries_return_the_same_rows_after_the_rewrite(make_postgres_database):
    import psycopg

    firewall = Firewall("postgres", BIG_CAP)
    golds = gold_queries("postgres")
    urls = {db: make_postgres_database(database_script(db, "postgres")) for db in sorted({g.db for g in golds})}
    different = []
    for db, url in urls.items():
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SET TRANSACTION READ ONLY")
            for gold in (g for g in golds if g.db == db):
                expected = conn.execute(gold.sql).fetchall()
                actual = conn.execute(firewall.enforce(gold.sql)).fetchall()
                if not _same_rows(expected, actual):
                    different.append(gold.id)
    assert different == []


@pytest.mark.parametrize(("cell", "statements"), [
    ("SELECT 1;SELECT 2;", ["SELECT 1", "SELECT 2"]),
    ("SELECT ';' AS a; SELECT \"x;y\" FROM t", ["SELECT ';' AS a", 'SELECT "x;y" FROM t']),
    ("SELECT 1 -- a; comment\n; SELECT 2", ["SELECT 1 -- a; comment", "SELECT 2"]),
])
def test_gold_cells_split_on_semicolons_outside_quotes(cell, statements):
    assert split_statements(cell) == statements


def test_alternatives_expand_to_each_choice_and_all_of_them():
    sql = "SELECT {a.id, a.name}, COUNT(*) FROM a GROUP BY {}"
    assert expand(sql) == ["SELECT a.id, COUNT(*) FROM a GROUP BY a.id",
                           "SELECT a.name, COUNT(*) FROM a GROUP BY a.name",
                           "SELECT a.id, a.name, COUNT(*) FROM a GROUP BY a.id, a.name"]
