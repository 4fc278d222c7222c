"""The rewrite rules end to end: the model's SQL, rewritten, runs once against a real database and the answer
says what was changed (each rule's input and output cases are in tests/fixtures/rewrite/)."""

import pytest

from tests.fakes import FakeModel
from vanna_magic.core.errors import VannaError


def ask_once(session_factory, path, script: str, sql: str, question: str):
    """The answer to ``question`` on a SQLite file built by ``script``, the model writing ``sql`` (asked once)."""
    import sqlite3

    with sqlite3.connect(path) as db:
        db.executescript(script)
    model = FakeModel([f"```sql\n{sql}\n```"])
    answer = session_factory(model=model, connection=f"sqlite:///{path}").ask(question)
    assert len(model.calls) == 1, "the statement went back to the model"
    return answer


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


def test_the_pipeline_counts_the_ratio_over_all_rows_and_says_so(session_factory, tmp_path):
    answer = ask_once(
        session_factory, tmp_path / "r.db",
        "CREATE TABLE restaurant (id INTEGER, rating REAL, city TEXT);"
        "INSERT INTO restaurant VALUES (1, 4.8, 'a'), (2, 3.0, 'a'), (3, 4.0, 'b'), (4, 4.9, 'b');",
        "SELECT CAST(COUNT(CASE WHEN rating > 4.5 THEN 1 END) AS REAL) / COUNT(*) AS ratio FROM restaurant "
        "WHERE rating > 4.5", "What is the ratio of restaurants rated above 4.5 to all restaurants?")
    assert answer.status == "ok" and answer.frame.values.tolist() == [[0.5]]  # 1.0 without the fix
    assert any(note.startswith("rating > 4.5 taken out of WHERE") for note in answer.notes)


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

