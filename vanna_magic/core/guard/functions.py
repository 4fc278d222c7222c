"""Functions that must never run: side effects, or reach beyond the database (rule ``forbidden_function``).

This is the second wall behind the allow-list (:mod:`.allowlist`): a name here is refused
with its reason even when a team's ``allowed_functions`` names it.  Names are matched
case-insensitively against every part of a call's dotted name
(``pg_catalog.pg_sleep``, ``SYS.DBMS_LOCK.SLEEP``), so a schema or package prefix,
quoting or case cannot hide a call.  A trailing ``*`` matches any suffix.
"""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from sqlglot import exp

_POSTGRES = """
pg_sleep* pg_read_file pg_read_binary_file pg_ls_* pg_stat_file pg_file_* pg_logdir_ls lo_* dblink* set_config
pg_terminate_backend pg_cancel_backend pg_reload_conf pg_rotate_logfile* pg_promote pg_switch_wal pg_switch_xlog
pg_create_restore_point pg_start_backup pg_stop_backup pg_backup_* pg_create_*_replication_slot pg_drop_replication_slot
pg_copy_*_replication_slot pg_replication_origin_* pg_logical_emit_message pg_logical_slot_* pg_notify
pg_advisory_* pg_try_advisory_* nextval setval pg_stat_reset* pg_stat_statements_reset pg_export_snapshot
pg_import_system_collations pg_wal_replay_* pg_log_backend_memory_contexts txid_current* pg_current_xact_id*
query_to_xml* query_to_xmlschema cursor_to_xml* table_to_xml* database_to_xml* schema_to_xml* ts_stat ts_rewrite
pg_prewarm pg_current_logfile setseed
"""
_SQLITE = "load_extension readfile writefile edit fts3_tokenizer fsdir zipfile sqlar_* lsmode sqlite_dbpage"
_ORACLE = """
dbms_* utl_* httpuritype dburitype xdburitype uritype urifactory owa_* htp htf sys_ctx_* ctx_* xmltype xmlparse
extractvalue existsnode xmlquery xmlexists xmlsequence sys_xmlgen apex_* ord_* sdo_util wm_*
"""
_MYSQL = """
sleep benchmark load_file get_lock release_lock release_all_locks is_free_lock is_used_lock master_pos_wait
source_pos_wait master_gtid_wait wait_for_executed_gtid_set wait_until_sql_thread_after_gtids nextval setval lastval
sys_exec sys_eval
"""
_DUCKDB = """
read_csv* read_parquet parquet_scan read_json* read_ndjson* read_text read_blob glob sniff_csv getenv
load_aws_credentials httpfs_* sqlite_scan postgres_scan* mysql_scan
"""

DENIED: dict[str, tuple[str, ...]] = {
    "postgres": tuple(_POSTGRES.split()),
    "sqlite": tuple(_SQLITE.split()),
    "oracle": tuple(_ORACLE.split()),
    "mysql": tuple(_MYSQL.split()),
    "duckdb": tuple(_DUCKDB.split()),
}

# Functions sqlglot models as typed expressions that still act beyond computing a value: they advance a
# sequence, read files, call a model or a service, or name a table from text.  Refused in every dialect.
EFFECTFUL_TYPES = frozenset("""
NextValueFor ReadCSV ReadParquet ToFile AIAgg AIClassify AIEmbed AIForecast AIGenerate AISimilarity AISummarizeAgg
GenerateEmbedding GenerateText MLForecast MLTranslate Predict VectorSearch FeaturesAtTime DynamicIdentifier Secret
""".split())


class Denylist:
    """The denied function names of one dialect, compiled to one regular expression."""

    def __init__(self, patterns: Iterable[str]):
        self.patterns = tuple(patterns)
        body = "|".join(fnmatch.translate(p.lower()).removeprefix("(?s:").removesuffix(")\\Z")
                        for p in self.patterns)
        self._regex = re.compile(f"(?:{body})\\Z") if body else None

    @classmethod
    def for_dialect(cls, dialect: str) -> "Denylist":
        return cls(DENIED.get(dialect, ()))

    def matches(self, name: str) -> bool:
        return self._regex is not None and self._regex.match(name.lower()) is not None

    def offending_name(self, node: "exp.Expression") -> str | None:
        """The denied name a function call ``node`` uses, or None."""
        if type(node).__name__ in EFFECTFUL_TYPES:
            return type(node).sql_names()[0] if type(node).sql_names() else type(node).__name__
        for name in call_names(node):
            if self.matches(name):
                return name
        return None


def call_names(node: "exp.Expression") -> list[str]:
    """Every name a function call goes by: its own, the dialect-neutral ones, and its dotted qualifiers."""
    from sqlglot import exp

    names: list[str] = []
    if isinstance(node, exp.Anonymous):
        names.append(node.name)
    else:
        names.extend(node.sql_names())
    parent, child = node.parent, node
    while isinstance(parent, exp.Dot) and parent.expression is child:
        names.extend(part.name for part in parent.this.parts if part.name) if isinstance(
            parent.this, (exp.Column, exp.Dot)) else names.append(parent.this.name)
        child, parent = parent, parent.parent
    return [name for name in names if name]
