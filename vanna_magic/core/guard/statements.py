"""What kind of statement a non-query is, and which rule rejects it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .parsing import quiet_sqlglot

if TYPE_CHECKING:
    from sqlglot import exp

# Statements sqlglot keeps as a bare word (``SAVEPOINT a`` parses as a column with an alias) or as a
# ``Command``: the first keyword decides the rule.
_WORD_RULES = {
    "transaction_control": {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE"},
    "session_control": {"SET", "RESET", "DISCARD", "LISTEN", "UNLISTEN", "NOTIFY", "LOAD", "USE", "PRAGMA",
                        "ATTACH", "DETACH", "ALTER SESSION", "INSTALL"},
    "copy": {"COPY", "UNLOAD", "EXPORT", "IMPORT"},
    "procedure_call": {"CALL", "EXEC", "EXECUTE", "DO", "PREPARE", "DEALLOCATE"},
}
HINTS = {
    "read_only": "Rewrite it as a single SELECT; writes, DDL and session commands never run.",
    "transaction_control": "Leave transactions to vanna-magic: every statement runs in its own read-only "
                           "transaction. Send the SELECT alone.",
    "session_control": "Session settings cannot be changed from a query; configure the connection instead.",
    "copy": "Select the rows instead; export a result with the DataFrame (e.g. df.to_csv).",
    "procedure_call": "Procedures and dynamic SQL never run; write the query as a single SELECT.",
}
WHY = {
    "read_only": "only read-only queries may run: {kind} is not a SELECT",
    "transaction_control": "{kind} controls the transaction; only read-only queries may run",
    "session_control": "{kind} changes the session; only read-only queries may run",
    "copy": "{kind} moves data to or from files or programs; only read-only queries may run",
    "procedure_call": "{kind} runs a procedure or dynamic SQL; only read-only queries may run",
}


def statement_types() -> tuple[type, ...]:
    """Node types that are statements of their own: never allowed anywhere inside a query."""
    from sqlglot import exp

    return (exp.DDL, exp.DML, exp.Drop, exp.Alter, exp.TruncateTable, exp.Command, exp.Pragma, exp.Set,
            exp.Attach, exp.Detach, exp.Grant, exp.Revoke, exp.Transaction, exp.Commit, exp.Rollback, exp.Use,
            exp.Analyze, exp.Kill, exp.Describe, exp.Copy)


def dml_types() -> tuple[type, ...]:
    from sqlglot import exp

    return (exp.Insert, exp.Update, exp.Delete, exp.Merge)


def is_statement(node: "exp.Expression") -> bool:
    """True for a whole statement (query, DML, DDL, command); False for a bare expression like ``No SQL``."""
    from sqlglot import exp

    return isinstance(node, (exp.Query, exp.Values, statement_types()))


def kind(node: "exp.Expression") -> str:
    """The statement's name as a person would say it: ``DELETE``, ``DROP TABLE``, ``VACUUM``."""
    from sqlglot import exp

    if isinstance(node, exp.Command) and str(node.this).strip():
        return str(node.this).upper()
    if isinstance(node, (exp.Create, exp.Drop, exp.Alter)) and node.args.get("kind"):
        return f"{node.key.upper()} {str(node.args['kind']).upper()}"
    if isinstance(node, (exp.Condition, exp.Alias)):  # e.g. ``REINDEX`` parses as a column
        with quiet_sqlglot():
            text = node.sql(comments=False)
        return repr(text if len(text) <= 40 else text[:37] + "...")
    return {"truncatetable": "TRUNCATE", "transaction": "BEGIN"}.get(node.key, node.key.upper())


def statement_rule(node: "exp.Expression") -> str:
    """The rule that rejects a statement which is not a query."""
    from sqlglot import exp

    if isinstance(node, (exp.Transaction, exp.Commit, exp.Rollback)):
        return "transaction_control"
    if isinstance(node, exp.Set):
        items = node.expressions
        if items and all(isinstance(i, exp.SetItem) and not isinstance(i.this, exp.EQ) for i in items) and (
                "TRANSACTION" in node.sql().upper()):
            return "transaction_control"
        return "session_control"
    if isinstance(node, (exp.Pragma, exp.Attach, exp.Detach, exp.Use, exp.Install)):
        return "session_control"
    if isinstance(node, exp.Copy):
        return "copy"
    word = _first_word(node)
    for rule, words in _WORD_RULES.items():
        if word in words:
            return rule
    return "read_only"


def _first_word(node: "exp.Expression") -> str:
    from sqlglot import exp

    if isinstance(node, exp.Command):
        head = str(node.this).strip().upper()
        rest = str(node.expression.this if isinstance(node.expression, exp.Literal) else node.expression or "")
        second = rest.split(None, 1)[0].upper() if rest.strip() else ""
        return f"{head} {second}" if f"{head} {second}" in _WORD_RULES["session_control"] else head
    if isinstance(node, exp.Alias):
        node = node.this
    if isinstance(node, exp.Column) and not node.table:
        return node.name.upper()
    return ""
