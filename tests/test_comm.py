"""The kernel side of the JupyterLab sidebar: every op, and every malformed message answered with an error."""

from types import SimpleNamespace

import comm as comm_package
import pytest

from tests.fakes import FakeModel
from vanna_magic.jupyter.comm import handle, json_safe, register_comm_target, unregister_comm_target
from vanna_magic.jupyter.protocol import COMM_TARGET, check_result


@pytest.fixture
def session(session_factory):
    return session_factory()


def ok(session, op, **args):
    reply = handle(session, {"id": 7, "op": op, "args": args})
    assert reply["ok"], reply
    assert reply["id"] == 7 and set(reply) == {"id", "ok", "result"}
    return check_result(op, reply["result"])


def test_schema_lists_the_demo_tables_with_columns_and_keys(session):
    result = ok(session, "schema")
    tables = {t["name"]: t for t in result["tables"]}
    assert {"customers", "orders", "order_items", "products", "regions", "suppliers"} <= set(tables)
    items = tables["order_items"]
    assert items["row_estimate"] > 0
    assert any(fk["ref_table"] == "orders" and fk["columns"] == ["order_id"] for fk in items["foreign_keys"])
    columns = {c["name"]: c for c in tables["customers"]["columns"]}
    assert columns["customer_id"]["primary_key"] is True and columns["customer_id"]["type"]
    assert result["dialect"] == "sqlite" and result["connection"].startswith("sqlite")


def test_schema_of_one_table_and_refresh(session):
    result = ok(session, "schema", table="orders", refresh=True)
    assert [t["name"] for t in result["tables"]] == ["orders"]


def test_docs_returns_definitions_and_documents(session):
    result = ok(session, "docs")
    names = {d["name"] for d in result["definitions"]}
    assert "revenue" in names
    revenue = next(d for d in result["definitions"] if d["name"] == "revenue")
    assert revenue["kind"] == "metric" and revenue["sql"] and "order_items" in revenue["tables"]
    assert any(d["table"] == "customers" and d["text"] for d in result["documents"])
    assert result["problems"] == []


@pytest.mark.parametrize("text, kind, name", [
    ("revenue", "metric", "revenue"),
    ("order items", "table", "order_items"),
    ("CUSTOMERS", "table", "customers"),
])
def test_search_ranks_the_matching_item_first_of_its_kind(session, text, kind, name):
    hits = ok(session, "search", text=text)["hits"]
    assert [h["name"] for h in hits if h["kind"] == kind][0] == name
    assert hits == sorted(hits, key=lambda h: -h["score"])


def test_search_respects_limit_and_ranks_as_vanna_search_does(session):
    assert len(ok(session, "search", text="order", limit=2)["hits"]) == 2
    hits = ok(session, "search", text="average order value by region")["hits"]
    assert [(h["kind"], h["name"]) for h in hits] == [
        (h.kind, h.name) for h in session.search("average order value by region", limit=20)]


def test_health_reports_mode_database_and_knowledge_base(session):
    result = ok(session, "health")
    assert result["mode"] == "LIMITED_AI"
    assert result["database"] == "ok" and result["dialect"] == "sqlite" and result["demo"] is True
    assert result["definitions"] > 0 and result["documents"] > 0 and result["model"] is None
    assert 0 < result["score"] < 100 and result["mode_reason"] and result["unavailable"]
    assert {b["name"]: b["state"] for b in result["breakers"]} == {
        "database": "CLOSED", "model": "CLOSED", "index": "CLOSED"}
    assert result["index"] == "ok" and result["errors"] == []


def test_health_shows_an_open_breaker_with_its_last_error_and_reset_closes_it(session):
    breaker = session.health.breakers["database"]
    for _ in range(breaker.failures):
        breaker.record_failure(OSError("connection refused"))
    result = ok(session, "health")
    database = next(b for b in result["breakers"] if b["name"] == "database")
    assert database == {"name": "database", "state": "OPEN", "failures": breaker.failures}
    assert result["errors"] == ["database breaker: connection refused"]
    assert ok(session, "breaker_reset", name="database") == {"name": "database", "state": "CLOSED"}
    assert next(b for b in ok(session, "health")["breakers"] if b["name"] == "database")["state"] == "CLOSED"


def test_latencies_come_from_the_session_metrics(session):
    session.run_sql("SELECT 1 AS one")
    latencies = {item["name"]: item for item in ok(session, "health")["latencies"]}
    assert "total" in latencies and latencies["total"]["p95_seconds"] >= latencies["total"]["seconds"] >= 0


def test_health_names_the_model_when_one_is_configured(session_factory):
    result = ok(session_factory(model=FakeModel([])), "health")
    assert result["mode"] == "FULL_OPERATIONAL"


def test_health_when_the_database_is_unreachable(session_factory, tmp_path):
    result = ok(session_factory(connection=f"sqlite:///{tmp_path}/missing/none.db"), "health")
    assert result["mode"] == "EMERGENCY" and result["database"] == "unreachable" and result["database_error"]


def test_breaker_reset_of_an_unknown_breaker_is_an_error(session):
    reply = handle(session, {"id": 1, "op": "breaker_reset", "args": {"name": "coffee"}})
    assert reply["ok"] is False and reply["error"]["message"] == "there is no breaker named 'coffee'"
    assert reply["error"]["hint"] == "Breakers: database, model, index."


def test_a_failing_op_is_an_error_reply(session):
    reply = handle(session, {"id": "a", "op": "schema", "args": {"table": "no_such_table"}})
    assert reply == {"id": "a", "ok": False, "error": reply["error"]}
    assert "no_such_table" in reply["error"]["message"] and reply["error"]["kind"]


def test_an_unexpected_exception_is_an_error_reply_not_a_crash(session, monkeypatch):
    monkeypatch.setattr(type(session), "status", lambda self: 1 / 0)
    reply = handle(session, {"id": 3, "op": "health", "args": {}})
    assert reply["ok"] is False and reply["error"]["kind"] == "InternalError"
    assert reply["error"]["message"] == "ZeroDivisionError: division by zero"


MALFORMED = [
    ("not a dict", None, "a request must be an object, got str"),
    (["id", 1], None, "a request must be an object, got list"),
    (None, None, "a request must be an object, got NoneType"),
    ({"op": "schema"}, None, "a request needs an 'id' (a string or a number)"),
    ({"id": True, "op": "schema"}, True, "a request needs an 'id' (a string or a number)"),
    ({"id": [1], "op": "schema"}, [1], "a request needs an 'id' (a string or a number)"),
    ({"id": 1}, 1, "a request needs an 'op' (a string)"),
    ({"id": 1, "op": 5}, 1, "a request needs an 'op' (a string)"),
    ({"id": 1, "op": "drop_tables"}, 1, "unknown op 'drop_tables'"),
    ({"id": 1, "op": "schema", "args": [1]}, 1, "args of 'schema' must be an object, got list"),
    ({"id": 1, "op": "schema", "args": "x"}, 1, "args of 'schema' must be an object, got str"),
    ({"id": 1, "op": "schema", "args": {"refresh": "yes"}}, 1,
     "argument 'refresh' of 'schema' must be a boolean, got str"),
    ({"id": 1, "op": "schema", "args": {"table": 3}}, 1, "argument 'table' of 'schema' must be a string, got int"),
    ({"id": 1, "op": "schema", "args": {"tables": "x"}}, 1, "unknown argument 'tables' for 'schema'"),
    ({"id": 1, "op": "docs", "args": {"x": 1}}, 1, "unknown argument 'x' for 'docs'"),
    ({"id": 1, "op": "search", "args": {}}, 1, "'search' needs the argument 'text'"),
    ({"id": 1, "op": "search", "args": {"text": None}}, 1,
     "argument 'text' of 'search' must be a string, got NoneType"),
    ({"id": 1, "op": "search", "args": {"text": "a", "limit": True}}, 1,
     "argument 'limit' of 'search' must be a number, got bool"),
    ({"id": 1, "op": "search", "args": {"text": "a", "limit": 0}}, 1, "limit must be at least 1, got 0"),
    ({"id": 1, "op": "search", "args": {"text": "  "}}, 1, "search needs some text"),
    ({"id": 1, "op": "breaker_reset", "args": {}}, 1, "'breaker_reset' needs the argument 'name'"),
]


@pytest.mark.parametrize("message, reply_id, error", MALFORMED, ids=[m[2] for m in MALFORMED])
def test_every_malformed_message_is_answered_with_an_error(session, message, reply_id, error):
    reply = handle(session, message)
    assert reply["ok"] is False and reply["id"] == reply_id
    assert reply["error"]["message"] == error
    assert reply["error"]["kind"] == "ProtocolError" and reply["error"]["hint"]


def test_missing_args_mean_no_arguments(session):
    assert handle(session, {"id": 1, "op": "docs"})["ok"] is True


class FakeComm:
    def __init__(self):
        self.sent, self.callback = [], None

    def on_msg(self, callback):
        self.callback = callback

    def send(self, data):
        self.sent.append(data)


def test_the_comm_target_answers_each_message_on_its_comm(session):
    kernel_shell = SimpleNamespace(kernel=object())
    assert register_comm_target(kernel_shell, lambda: session) is True
    try:
        opened = FakeComm()
        comm_package.get_comm_manager().targets[COMM_TARGET](opened, {"content": {"data": {}}})
        opened.callback({"content": {"data": {"id": 9, "op": "search", "args": {"text": "revenue"}}}})
        opened.callback({"content": {"data": "garbage"}})
        assert opened.sent[0]["id"] == 9 and opened.sent[0]["ok"] is True
        assert opened.sent[1]["ok"] is False
    finally:
        unregister_comm_target(kernel_shell)
    assert COMM_TARGET not in comm_package.get_comm_manager().targets


def test_no_comm_target_outside_a_kernel(shell):
    assert register_comm_target(shell, lambda: None) is False
    assert COMM_TARGET not in comm_package.get_comm_manager().targets


def test_replies_are_made_json_safe_before_they_are_sent():
    import datetime
    import decimal

    reply = {"id": 1, "ok": True, "result": {"when": datetime.date(2024, 1, 2), "n": decimal.Decimal("1.5")}}
    assert json_safe(reply) == {"id": 1, "ok": True, "result": {"when": "2024-01-02", "n": "1.5"}}
