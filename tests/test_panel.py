"""``%vanna panel`` through its widget models: set values, click, read what the widgets show."""

import html
import re

import pytest
from IPython.core.error import UsageError

from tests.fakes import FakeModel
from vanna_magic.jupyter.panel import Panel

TOP_SQL = ("SELECT c.segment, COUNT(*) AS customers FROM customers c GROUP BY c.segment "
           "ORDER BY customers DESC")


def message(panel) -> str:
    """The panel's message as plain text (lines as the magics print them)."""
    text = re.sub(r"<br>", "\n", panel.message.value)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def kind(panel) -> str:
    return re.search(r"data-kind='(\w+)'", panel.message.value).group(1)


def grid_rows(panel) -> list[list[str]]:
    body = panel.grid.value.split("<tbody>", 1)[1]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in body.split("</tr>") if "<td>" in row]


def enabled(panel) -> list[bool]:
    return [not control.disabled for control in panel.controls
            if control not in (panel.prev_button, panel.next_button)]


@pytest.fixture
def panel_with(session_factory, tmp_path, monkeypatch):
    """``panel_with(model=None, **settings)``: a panel on a fresh demo session, working in ``tmp_path``."""
    monkeypatch.chdir(tmp_path)

    def make(model=None, **overrides):
        session = session_factory(model=model, **overrides)
        return Panel(lambda: session), session

    return make


def test_vanna_panel_runs_sql_pages_through_the_rows_and_shows_the_mode(shell):
    shell.run_cell("%config VannaMagic.max_rows = 1500")
    panel = shell.run_line_magic("vanna", "panel")
    assert isinstance(panel, Panel)
    assert "data-mode='LIMITED_AI'" in panel.badge.value and "no language model is configured" in panel.badge.value
    assert panel.connection.options[0][0].startswith("current: sqlite:///") and panel.connection.value == ""
    assert panel.prev_button.disabled and panel.next_button.disabled  # nothing to page through yet

    panel.sql.value = "SELECT customer_id, name FROM customers ORDER BY customer_id"
    panel.run_button.click()
    assert kind(panel) == "ok", message(panel)
    assert panel.page_label.value == "page 1 of 3 · 1200 rows"
    rows = grid_rows(panel)
    assert len(rows) == 500 and rows[0][0] == "1" and rows[-1][0] == "500"
    assert panel.prev_button.disabled and not panel.next_button.disabled
    assert shell.magics_manager.registry["VannaMagic"].notebook.last is panel.answer  # %vanna kb add can use it

    panel.next_button.click()
    panel.next_button.click()
    assert panel.page_label.value == "page 3 of 3 · 1200 rows"
    assert [r[0] for r in grid_rows(panel)][:1] == ["1001"] and len(grid_rows(panel)) == 200
    assert panel.next_button.disabled and not panel.prev_button.disabled
    panel.prev_button.click()
    assert panel.page_label.value.startswith("page 2 of 3") and grid_rows(panel)[0][0] == "501"
    assert all(enabled(panel))


def test_a_capped_result_says_more_rows_may_exist(panel_with):
    panel, _ = panel_with(max_rows=20)
    panel.sql.value = "SELECT customer_id FROM customers"
    panel.run_button.click()
    assert panel.page_label.value == "page 1 of 1 · 20 rows (the row cap of 20 was reached: there may be more)"


def test_ask_fills_the_sql_box_and_the_grid_with_every_button_disabled_meanwhile(panel_with):
    seen, said = [], []

    def answer(messages):
        seen.append([control.disabled for control in panel.controls])
        said.append(message(panel))
        return f"```sql\n{TOP_SQL}\n```"

    panel, _ = panel_with(model=FakeModel(answer))
    panel.question.value = "How many customers are in each segment?"
    panel.ask_button.click()
    assert seen == [[True] * len(panel.controls)]
    assert said[0].startswith("generate… (")  # the stage in flight, as the progress events say
    assert kind(panel) == "ok", message(panel)
    assert f"confidence: {panel.answer.confidence.level}" in message(panel)  # the badge of the answer shown
    assert panel.sql.value == TOP_SQL
    assert {row[0] for row in grid_rows(panel)} >= {"consumer"} and panel.page_label.value.startswith("page 1 of 1")
    assert all(enabled(panel)) and panel.prev_button.disabled and panel.next_button.disabled


def test_run_uses_the_same_path_and_error_text_as_vsql(shell):
    panel = shell.run_line_magic("vanna", "panel")
    panel.sql.value = "DELETE FROM customers"
    panel.run_button.click()
    with pytest.raises(UsageError) as magic_error:
        shell.run_cell("%%vsql\nDELETE FROM customers")
    assert kind(panel) == "error"
    assert message(panel) == str(magic_error.value)
    assert message(panel).startswith("[firewall: read_only]") and "Traceback" not in panel.message.value
    assert all(enabled(panel))


def test_a_streaming_model_shows_what_it_has_written_so_far(panel_with):
    from vanna_magic.core.ops.run import model_text

    said = []

    def streaming(messages):
        for piece in ("```sql\nSELECT segment,", " COUNT(*) AS customers"):
            model_text(piece)
            said.append(message(panel))
        return f"```sql\n{TOP_SQL}\n```"

    panel, _ = panel_with(model=FakeModel(streaming))
    panel.question.value = "How many customers are in each segment?"
    panel.ask_button.click()
    assert said[0].startswith("generate… (") and said[0].endswith("): ```sql SELECT segment,")
    assert said[1].endswith("): ```sql SELECT segment, COUNT(*) AS customers")
    assert kind(panel) == "ok" and panel.sql.value == TOP_SQL


def test_a_rejected_generated_statement_stays_in_the_sql_box_to_edit(panel_with):
    panel, _ = panel_with(model=FakeModel(["```sql\nDROP TABLE customers\n```"]), max_repairs=0)
    panel.question.value = "Remove the customers table"
    panel.ask_button.click()
    assert message(panel).startswith("[firewall: read_only]"), message(panel)
    assert panel.sql.value == "DROP TABLE customers"
    assert panel.grid.value == "" and panel.answer is None, "no result before, none after"
    assert all(enabled(panel))


def test_a_failed_ask_keeps_the_last_good_result_and_says_whose_rows_they_are(panel_with, tmp_path):
    panel, _ = panel_with(model=FakeModel([f"```sql\n{TOP_SQL}\n```", "```sql\nDROP TABLE customers\n```"]),
                          max_repairs=0)
    panel.question.value = "How many customers are in each segment?"
    panel.ask_button.click()
    good, rows = panel.answer, grid_rows(panel)
    assert kind(panel) == "ok" and rows
    panel.question.value = "Remove the customers table"
    panel.ask_button.click()
    assert kind(panel) == "error" and message(panel).startswith("[firewall: read_only]")
    assert panel.answer is good and grid_rows(panel) == rows
    assert f"still the rows of query {good.history_id}" in panel.page_label.value
    panel.export_path.value = str(tmp_path / "kept.csv")
    panel.export_button.click()
    assert kind(panel) == "ok" and (tmp_path / "kept.csv").read_text().count("\n") == len(rows) + 1


def test_an_empty_sql_box_is_an_error_not_a_query(panel_with):
    panel, session = panel_with()
    attempts = session.store.history()[1]
    panel.sql.value = "  \n "
    panel.run_button.click()
    assert message(panel) == "[guard] the SQL box is empty\nWrite a SELECT statement in it, or Ask a question first."
    assert session.store.history()[1] == attempts
    assert all(enabled(panel))


def test_an_empty_question_box_is_an_error_not_a_question(panel_with):
    panel, session = panel_with(model=FakeModel([]))
    panel.question.value = " "
    panel.ask_button.click()
    assert message(panel) == "[guard] the question box is empty\nType a question about the data, then click Ask."
    assert session.model.calls == [] and all(enabled(panel))


def test_a_knowledge_base_answer_without_a_model_says_where_it_came_from(panel_with):
    panel, _ = panel_with()
    panel.question.value = "How many customers are repeat customers?"
    panel.ask_button.click()
    assert kind(panel) == "ok" and "1 row in " in message(panel)
    assert "answered with the knowledge-base example" in message(panel) and "WITH per_customer" in panel.sql.value
    assert panel.page_label.value == "page 1 of 1 · 1 row"


def test_no_model_configured_gives_the_next_step_and_the_closest_questions_as_buttons(panel_with):
    panel, _ = panel_with()
    panel.question.value = "Which product categories grew fastest in 2024 compared with 2023?"
    panel.ask_button.click()
    assert kind(panel) == "error"
    assert "No model is configured: run `%vanna setup`" in message(panel) and "\n" not in message(panel)
    assert "VannaMagic.model" not in message(panel), "the ways to configure live in %vanna help model"
    offered = [button.description for button in panel.suggestions.children]
    assert offered and all(enabled(panel))
    panel.suggestions.children[0].click()
    assert panel.question.value == offered[0]
    assert kind(panel) == "ok" and "answered with the knowledge-base example" in message(panel)
    assert panel.suggestions.children == (), "the offer goes once a question is answered"


def test_a_database_error_is_the_databases_own_sentence(panel_with):
    panel, _ = panel_with()
    panel.sql.value = "SELECT no_such_column FROM customers"
    panel.run_button.click()
    assert message(panel).startswith("[execute]") and "no_such_column" in message(panel)


def test_named_connections_are_offered_and_a_bad_one_is_reported(panel_with, tmp_path):
    good = tmp_path / "copy.sqlite"
    import sqlite3

    with sqlite3.connect(good) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
    (tmp_path / "pyproject.toml").write_text(
        "[tool.vanna_magic.connections.local]\n"
        f'url = "sqlite:///{good}"\n'
        "[tool.vanna_magic.connections.locked]\n"
        'url = "postgresql://ann@127.0.0.1:9/sales"\npassword = "${PANEL_TEST_UNSET_PASSWORD}"\n'
        "[tool.vanna_magic.connections.gone]\n"
        'url = "sqlite:////nonexistent/folder/shop.db"\n')
    panel, _ = panel_with()
    assert [value for _, value in panel.connection.options] == ["", "gone", "local", "locked"]

    panel.connection.value = "local"
    panel.sql.value = "SELECT x FROM t ORDER BY x"
    panel.run_button.click()
    assert kind(panel) == "ok", message(panel)
    assert [r[0] for r in grid_rows(panel)] == ["1", "2", "3"]

    panel.export_path.value = str(tmp_path / "t.csv")
    panel.export_button.click()
    assert kind(panel) == "ok", message(panel)
    assert (tmp_path / "t.csv").read_bytes() == b"x\r\n1\r\n2\r\n3\r\n"

    panel.connection.value = "locked"
    panel.run_button.click()
    assert message(panel).startswith("[config] connection 'locked' (password, from ")
    assert "PANEL_TEST_UNSET_PASSWORD is not set" in message(panel)
    assert "still the rows of query" in panel.page_label.value and all(enabled(panel))

    panel.connection.value = "gone"
    panel.run_button.click()
    assert kind(panel) == "error" and "nonexistent" in message(panel), message(panel)


def test_a_broken_connections_file_is_reported_and_the_panel_still_works(panel_with, tmp_path):
    panel, _ = panel_with(connections_file=str(tmp_path / "missing.toml"))
    assert message(panel).startswith("[config] the connections file"), message(panel)
    assert [value for _, value in panel.connection.options] == [""]
    panel.sql.value = "SELECT 1 AS one"
    panel.run_button.click()
    assert grid_rows(panel) == [["1"]]


def test_export_writes_the_whole_result_as_rfc4180_csv(panel_with, tmp_path):
    panel, _ = panel_with(max_rows=2)
    panel.export_button.click()
    assert message(panel) == "[export] there is no result to export\nAsk a question or run SQL first."
    panel.sql.value = "SELECT 'a,b' AS text, 'say \"hi\"' AS quoted, NULL AS missing UNION ALL SELECT 'c', 'd', 1"
    panel.run_button.click()
    assert kind(panel) == "ok", message(panel)
    panel.export_path.value = "out.csv"
    panel.export_button.click()
    assert message(panel).startswith("wrote 2 rows of query "), message(panel)
    assert (tmp_path / "out.csv").read_bytes() == b'text,quoted,missing\r\n"a,b","say ""hi""",\r\nc,d,1\r\n'


def test_export_over_the_cap_names_the_count_and_writes_nothing(panel_with, tmp_path):
    panel, _ = panel_with(export_max_rows=5)
    panel.sql.value = "SELECT customer_id FROM customers WHERE customer_id <= 12"
    panel.run_button.click()
    panel.export_path.value = "big.csv"
    panel.export_button.click()
    assert message(panel).startswith("[export] query ") and "returns 12 rows, more than the export cap of 5" \
        in message(panel), message(panel)
    assert not (tmp_path / "big.csv").exists() and list(tmp_path.glob("*.csv*")) == []
    assert all(enabled(panel))
    panel.export_path.value = "big.txt"
    panel.export_button.click()
    assert message(panel).startswith("[export] the export path"), message(panel)


def test_an_empty_result_shows_its_columns_exports_a_header_and_has_no_chart(panel_with, tmp_path):
    panel, _ = panel_with()
    panel.sql.value = "SELECT customer_id, name FROM customers WHERE 1 = 0"
    panel.run_button.click()
    assert kind(panel) == "ok" and "0 rows" in message(panel)
    assert "no rows" in panel.grid.value and "customer_id, name" in panel.grid.value
    assert panel.page_label.value == "0 rows" and panel.prev_button.disabled and panel.next_button.disabled
    panel.chart_toggle.value = True
    chart = panel.chart.outputs[0]["data"]["text/plain"]
    assert chart.startswith("[chart] there is nothing to chart: the result has no rows")
    panel.export_path.value = "empty.csv"
    panel.export_button.click()
    assert (tmp_path / "empty.csv").read_bytes() == b"customer_id,name\r\n"


def test_the_chart_toggle_draws_the_result(panel_with):
    panel, _ = panel_with()
    panel.sql.value = TOP_SQL
    panel.run_button.click()
    assert panel.chart.outputs == ()
    panel.chart_toggle.value = True
    data = panel.chart.outputs[0]["data"]
    assert data["application/vnd.plotly.v1+json"]["data"][0]["type"] == "bar"
    assert kind(panel) == "ok" and message(panel).startswith("query ")  # the result's message stays
    panel.sql.value = "SELECT 'x' AS only_text"
    panel.run_button.click()
    assert panel.chart.outputs[0]["data"]["text/plain"].startswith("[chart] no chart fits")
    panel.chart_toggle.value = False
    assert panel.chart.outputs == ()


def test_choosing_from_the_history_fills_question_and_sql(panel_with):
    panel, _ = panel_with(model=FakeModel([f"```sql\n{TOP_SQL}\n```"]))
    panel.question.value = "How many customers are in each segment?"
    panel.ask_button.click()
    panel.question.value, panel.sql.value = "", "SELECT 1 AS one"
    panel.run_button.click()
    panel.sql.value = "DELETE FROM orders"
    panel.run_button.click()
    labels = [label for label, _ in panel.history.options]
    assert labels[1].endswith("error: DELETE FROM orders") and labels[2].endswith("ok: SELECT 1 AS one")
    assert labels[3].endswith("ok: How many customers are in each segment?")
    panel.history.value = panel.history.options[3][1]
    assert panel.question.value == "How many customers are in each segment?" and panel.sql.value == TOP_SQL
    assert panel.history.value == panel.history.options[3][1] and all(enabled(panel))


def test_without_a_history_store_results_still_show_and_export_says_why_it_cannot(panel_with, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    panel, _ = panel_with(store_path=str(blocker / "history.sqlite3"))
    assert panel.history.options[0][0].startswith("no history: the history store is unavailable")
    panel.sql.value = "SELECT 1 AS one"
    panel.run_button.click()
    assert kind(panel) == "ok" and grid_rows(panel) == [["1"]]
    assert "history is not being kept" in message(panel)
    panel.export_button.click()
    assert message(panel).startswith("[export] this result is not in the history"), message(panel)


def test_an_unexpected_failure_is_one_line_and_the_buttons_come_back(panel_with, monkeypatch):
    panel, session = panel_with()
    seen = []

    def broken(sql, **kwargs):
        seen.append([control.disabled for control in panel.controls])
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(session, "run_sql", broken)
    panel.sql.value = "SELECT 1"
    panel.run_button.click()
    assert seen == [[True] * len(panel.controls)]
    assert message(panel) == "unexpected error (RuntimeError): disk on fire"
    assert all(enabled(panel))


def test_an_interrupt_is_reported_and_the_buttons_come_back(panel_with):
    def interrupted(messages):
        raise KeyboardInterrupt

    panel, _ = panel_with(model=FakeModel(interrupted))
    panel.question.value = "How many customers are in each segment?"
    panel.ask_button.click()
    assert message(panel) == "interrupted while asking: nothing more runs"
    assert kind(panel) == "error" and all(enabled(panel))


def test_the_badge_shows_full_operation_with_a_model(panel_with):
    panel, _ = panel_with(model=FakeModel([]))
    assert "data-mode='FULL_OPERATIONAL'" in panel.badge.value


def test_durations_under_a_second_are_in_milliseconds():
    from vanna_magic.jupyter.messages import duration_text

    assert duration_text(0.0042) == "4 ms" and duration_text(0.999) == "999 ms"
    assert duration_text(1.0) == "1.0 s" and duration_text(12.34) == "12.3 s"


def test_a_fast_result_says_its_time_in_milliseconds(panel_with):
    panel, _ = panel_with()
    panel.sql.value = "SELECT COUNT(*) AS n FROM customers"
    panel.run_button.click()
    assert re.search(r"1 row in \d+ ms", message(panel)), message(panel)
