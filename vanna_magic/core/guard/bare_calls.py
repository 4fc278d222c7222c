"""Calls written without parentheses (rule ``forbidden_function``).

Oracle calls a package function that takes no argument without parentheses
(``DBMS_SESSION.UNIQUE_SESSION_ID``) and advances a sequence with ``seq.NEXTVAL`` (MariaDB too,
in Oracle mode): both parse as qualified columns, not calls, so the function lists never see
them.  The firewall refuses a qualified column named ``NEXTVAL`` in those dialects, and on
Oracle one qualified by a denied package (``DBMS_*``, ``UTL_*``...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .functions import Denylist

if TYPE_CHECKING:
    from sqlglot import exp

_SEQUENCE_DIALECTS = frozenset({"oracle", "mysql"})


def bare_call(node: "exp.Expression", dialect: str, denylist: Denylist) -> str | None:
    """Why a qualified column is really a call that must not run (``advances a sequence``...), or None."""
    if dialect not in _SEQUENCE_DIALECTS:  # first: this runs on every node of every statement
        return None
    from sqlglot import exp

    if not isinstance(node, exp.Column) or not node.table:
        return None
    if node.name.lower() == "nextval":
        return "advances a sequence"
    qualifiers = [part.name for part in node.parts[:-1]]
    if dialect == "oracle" and any(denylist.matches(name) for name in qualifiers):
        return "calls a system package"
    return None
