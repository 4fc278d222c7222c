"""The SQL firewall: decides on sqlglot's syntax tree whether a statement may run.

A statement runs only when it is one read-only query (SELECT, a set operation, or
WITH ... SELECT) with no data-modifying CTE, no ``SELECT ... INTO``, no locking clause
and no call to a function with side effects anywhere in its tree; every function it calls
is allowed by list (:mod:`.allowlist`: typed expressions, the dialect's reviewed list, the
``allowed_functions`` setting).  Then the role's data
policy rewrites it (tables, hidden and masked columns, row filters) and the row cap is
applied; it is rendered in the connection's dialect.  Rules, in the order they are checked:

    parse_error, empty, single_statement,
    read_only, transaction_control, session_control, copy, procedure_call   (not a query)
    external_access                                                         (DuckDB: files, network, settings)
    data_modifying_cte, select_into, locking_clause, forbidden_function     (anywhere in the tree)
    unknown_function                                                        (a call not on the allow-list)
    policy_table, policy_column                                             (the role's data policy)

Every rejection can be audited: ``Firewall(..., on_reject=callable)`` receives an
:class:`AuditEvent` (user, rule, SQL hash).

>>> Firewall("sqlite", max_rows=100).enforce("select * from t;")
'SELECT * FROM t LIMIT 100'
>>> Firewall("postgres", max_rows=100).check("SELECT pg_catalog.PG_SLEEP(10)").rule
'forbidden_function'
"""

from .allowlist import Allowlist
from .audit import AUDIT_LOGGER, AuditEvent, current_user, log_event, sql_hash
from .firewall import Firewall
from .functions import DENIED, Denylist
from .parsing import DIALECTS, parse_statements, quiet_sqlglot, sqlglot_dialect
from .statements import is_statement
from .verdict import Verdict

RULES = ("parse_error", "empty", "single_statement", "read_only", "transaction_control", "session_control", "copy",
         "procedure_call", "external_access", "data_modifying_cte", "select_into", "locking_clause",
         "forbidden_function", "unknown_function", "policy_table", "policy_column")

__all__ = ["AUDIT_LOGGER", "Allowlist", "AuditEvent", "DENIED", "DIALECTS", "Denylist", "Firewall", "RULES", "Verdict",
           "current_user", "is_statement", "log_event", "parse_statements", "quiet_sqlglot", "sql_hash",
           "sqlglot_dialect"]
