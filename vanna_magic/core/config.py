"""Settings and where they come from.

Precedence, highest first: explicit overrides (magic arguments, then
``%config VannaMagic.<trait>``, which the Jupyter layer passes in), environment
variables ``VANNA_MAGIC_<NAME>``, ``[tool.vanna_magic]`` in the nearest
``pyproject.toml``, then the defaults below.  Secrets (API keys, passwords) are
read from the environment or a ``.env`` file only, and :func:`redact` removes
them from anything shown to a person.

>>> s = load_settings({"max_rows": "50"}, environ={}, start=None)
>>> s.max_rows, s.source("max_rows")
(50, 'override')
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigurationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ENV_PREFIX = "VANNA_MAGIC_"
_SECRET_ENV = re.compile(r"(API_KEY|_TOKEN|PASSWORD|SECRET)$")
FUNCTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$#]*(?:\.[A-Za-z_][A-Za-z0-9_$#]*){0,2}\Z")
MAX_CANDIDATES = 10
MAX_COLUMN_SAMPLES = 5
# Every way to configure a model: the command line's hint, and `%vanna help model` in a notebook.
CONFIGURE_A_MODEL = """In a notebook, %vanna setup is a form that tests a model and saves it. Or configure one
(any litellm model string) yourself, for example:
  %config VannaMagic.model = "openai/gpt-4o-mini"               # with OPENAI_API_KEY set
  %config VannaMagic.model = "anthropic/claude-3-5-haiku-latest"  # with ANTHROPIC_API_KEY set
  %config VannaMagic.model = "ollama/qwen2.5-coder"; %config VannaMagic.api_base = "http://localhost:11434"
  %config VannaMagic.model = "openai/local-model"; %config VannaMagic.api_base = "http://localhost:1234/v1"  # LM Studio
or set VANNA_MAGIC_MODEL (and VANNA_MAGIC_API_BASE) in the environment,
or model = "..." under [tool.vanna_magic] in pyproject.toml."""


def _setting(default: Any, help: str, kind: type | None = None, choices: tuple[str, ...] | None = None):
    return field(default=default, metadata={"help": help, "kind": kind, "choices": choices})


@dataclass(frozen=True)
class Settings:
    """Every setting of vanna-magic, with its default and meaning.

    The same names are ``%config VannaMagic.<name>`` traits, ``VANNA_MAGIC_<NAME>``
    environment variables and keys of ``[tool.vanna_magic]``.
    """

    connection: str | None = _setting(
        None, "SQLAlchemy URL or named connection of the database; the embedded demo database when unset.", str)
    connections_file: str | None = _setting(
        None, "TOML file of named connections ([connections.NAME] tables); "
        "default ~/.config/vanna-magic/connections.toml when it exists.", str)
    model: str | None = _setting(
        None, "litellm model string, e.g. 'openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku-latest', "
        "'ollama/qwen2.5-coder'. Unset: answers come only from the knowledge base.", str)
    api_base: str | None = _setting(
        None, "Base URL of an OpenAI-compatible server (Ollama, LM Studio, vLLM...).", str)
    replay_file: str | None = _setting(
        None, "JSONL file of recorded model responses; relative paths resolve from the working directory.", str)
    replay_mode: str = _setting(
        "replay", "With a replay file: 'replay' serves recorded responses, 'record' calls the model "
        "and appends its responses.", str, ("replay", "record"))
    knowledge_base: str | None = _setting(
        None, "Directory of the team's knowledge base; the demo knowledge base when the demo "
        "database is used and this is unset.", str)
    user_knowledge_base: str | None = _setting(
        None, "Your own knowledge base, used with every database after the project's; default "
        "~/.config/vanna-magic/knowledge_base when that folder exists.", str)
    max_rows: int = _setting(1000, "Row cap applied by the firewall to every statement.", int)
    preview_rows: int = _setting(10, "Rows shown in a result preview.", int)
    query_timeout: float = _setting(
        30.0, "Seconds a statement may run before it is cancelled (on the client too, for a server that stops "
        "answering).", float)
    max_query_cost: float | None = _setting(
        None, "PostgreSQL: refuse statements whose planner estimate (EXPLAIN total cost) is above this; "
        "unset: no cost guard.", float)
    model_timeout: float = _setting(60.0, "Seconds a model call may take in all, retries and backoff included.", float)
    model_retries: int = _setting(
        3, "Retries of a model call on rate limits and transient errors (exponential backoff).", int)
    max_repairs: int = _setting(
        2, "How many times a rejected or failing statement goes back to the model to be repaired.", int)
    top_k: int = _setting(5, "Knowledge-base examples retrieved per question.", int)
    prompt_budget: int = _setting(6000, "Token budget of the prompt sent to the model.", int)
    example_budget: int = _setting(
        500, "Token budget of the knowledge-base examples in a prompt: the most similar examples that fit "
        "(a long one is passed over for shorter ones).", int)
    follow_up_turns: int = _setting(
        3, "Earlier questions (with their SQL, never their rows) a follow-up question carries into the prompt.", int)
    show_progress: bool = _setting(
        True, "Show the running stage and its time in the cell while %%ask and %%vsql work.", bool)
    temperature: float = _setting(0.0, "Sampling temperature of the model.", float)
    value_linking: bool = _setting(
        True, "Look up the values a question names (e.g. 'Machine Learning') in the database's short text "
        "columns and tell the model which column holds them; only values matching the question's words are "
        "sent. The values are read once per connection and cached in cache_dir.", bool)
    column_samples: int = _setting(
        0, "Values shown per column (1 to 5) beside the CREATE TABLE lines of the tables in a prompt: a short text "
        "column's most frequent values, a number or date column's least and greatest; 0: none. Unlike value "
        "linking, this sends stored values of every shown column to the model (never of columns the data policy "
        "hides or masks). Read once per table, cached in cache_dir.", int)
    requalify_columns: bool = _setting(
        True, "Mend the model's SQL with the rewrite rules (rewrite_rules says which) before it is checked and run: "
        "a column on the wrong table of its query, a join on keys of different types, a table named but never "
        "joined... Each change is noted on the answer.", bool)
    rewrite_rules: str = _setting(
        "all", "Which rewrite rules run: 'all', 'none', rule names separated by commas, or all but some "
        "('-plain_years,-inline_aliases'). The rules are listed in the README (Rewrite rules).", str)
    repair_empty: bool = _setting(
        True, "When a query returns no rows (or only NULLs) but the question expects some, filters on a "
        "placeholder such as 'YOUR_STATE', or has an IN subquery that selects the outer query's column, ask the "
        "model once more (within max_repairs), telling it only that (never any data).", bool)
    candidates: int = _setting(
        1, "Queries generated per question (1 to 10). Above 1, each is checked and run, and the result most "
        "candidates agree on wins (self-consistency); the first is the model's usual answer, the others samples at "
        "sample_temperature; costs that many model calls.", int)
    doubt_candidates: int = _setting(
        0, "When an answer is in doubt (it needed a repair, a rewrite rule changed it, it found no rows, or its "
        "shape is not the question's: a count answered with rows, a list with repeated rows, a first place with "
        "ties cut), this many more candidates are sampled at sample_temperature, checked and run, and the result "
        "most of them (the first answer included) agree on wins; 0: never. Costs model calls only on doubtful answers.",
        int)
    sample_temperature: float = _setting(
        0.7, "Sampling temperature of the candidates after the first (candidates, doubt_candidates).", float)
    embedder: str = _setting(
        "hashing", "'hashing' (offline, no download) or 'litellm:<embedding model>'.", str)
    cache_dir: str | None = _setting(
        None, "Where derived caches (the vector index, the demo database) live; "
        "default ~/.cache/vanna-magic.", str)
    schemas: str | None = _setting(
        None, "Which schemas the catalog reads, in search order: names or patterns with * and ?, separated by "
        "commas, - before those to leave out ('sales, finance_*, -*_archive'); unset: the connection's search "
        "path (PostgreSQL) or default schema. Tables outside the default schema are written schema.table.", str)
    show_traceback: bool = _setting(False, "Show full tracebacks instead of one-line errors.", bool)
    policy_file: str | None = _setting(
        None, "YAML data policy: per role, allowed/denied tables, hidden and masked columns, row filters.", str)
    role: str | None = _setting(
        None, "Role in the data policy; unset: the user's role from the policy (JUPYTERHUB_USER or OS user).", str)
    store_path: str | None = _setting(
        None, "SQLite file (WAL) of query history, audit events and rate-limit state; "
        "default <cache_dir>/vanna-magic.sqlite3.", str)
    breakers: str = _setting(
        "database=3/30,model=3/60,index=5/60", "Circuit breakers as PART=FAILURES/COOLDOWN_SECONDS: a part "
        "failing FAILURES times in a row fails fast for COOLDOWN_SECONDS, then is retried.", str)
    breaker_successes: int = _setting(1, "Successful trial calls that close a half-open circuit breaker.", int)
    rate_limit: int = _setting(
        10, "Model calls per user per minute (calls to a provider; replayed responses are free).", int)
    export_max_rows: int = _setting(10000, "Most rows %vanna export writes; more fails with the row count.", int)
    allowed_functions: str = _setting(
        "", "Functions the firewall allows beyond its reviewed list for the dialect, separated by commas (a TOML "
        "list in pyproject.toml), e.g. 'fiscal_quarter, analytics.fiscal_year'; a schema-qualified name allows only "
        "that schema's function. Functions with side effects (pg_sleep, DBMS_*...) can never be allowed.", str)
    require_read_only_role: bool = _setting(
        False, "Refuse to connect when the database role can write, read server files or bypass row security "
        "(PostgreSQL superuser, pg_read_server_files, BYPASSRLS; MySQL FILE, SUPER; Oracle DBA).", bool)

    _sources: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def source(self, name: str) -> str:
        """Where the value of setting ``name`` came from (override, env, pyproject, default)."""
        return self._sources.get(name, "default")

    def replace(self, **changes: Any) -> "Settings":
        """A copy with ``changes`` applied as overrides (validated like any other source)."""
        values = {n: getattr(self, n) for n in setting_names()}
        sources = dict(self._sources)
        for name, raw in changes.items():
            values[name] = _convert(name, raw, "override")
            sources[name] = "override"
        return Settings(**values, _sources=sources)

    @property
    def cache_path(self) -> Path:
        return Path(self.cache_dir).expanduser() if self.cache_dir else Path.home() / ".cache" / "vanna-magic"


def setting_fields() -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(Settings) if not f.name.startswith("_")]


def setting_names() -> list[str]:
    return [f.name for f in setting_fields()]


def _convert(name: str, raw: Any, source: str) -> Any:
    """Turn a raw value from ``source`` into the setting's type, or say exactly what is wrong."""
    fields = {f.name: f for f in setting_fields()}
    if name not in fields:
        close = [n for n in fields if n.startswith(name[:3])]
        hint = f"Did you mean {', '.join(close)}?" if close else f"Known settings: {', '.join(fields)}."
        raise ConfigurationError(f"unknown setting {name!r} (from {source})", hint=hint, setting=name)
    meta = fields[name].metadata
    kind, choices = meta["kind"], meta["choices"]
    if raw is None or (isinstance(raw, str) and raw == "" and fields[name].default is None):
        return None
    if name == "allowed_functions" and isinstance(raw, (list, tuple)) and all(isinstance(i, str) for i in raw):
        raw = ", ".join(raw)  # a TOML list in pyproject.toml
    try:
        if kind is bool:
            if isinstance(raw, bool):
                value = raw
            elif str(raw).strip().lower() in {"1", "true", "yes", "on"}:
                value = True
            elif str(raw).strip().lower() in {"0", "false", "no", "off"}:
                value = False
            else:
                raise ValueError
        elif kind is int:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            value = int(str(raw).strip()) if isinstance(raw, str) else int(raw)
        elif kind is float:
            if isinstance(raw, bool):
                raise ValueError
            value = float(raw)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
        else:
            if not isinstance(raw, str):
                raise ValueError
            value = raw.strip()
    except (TypeError, ValueError):
        expected = {bool: "true or false", int: "an integer", float: "a finite number"}.get(kind, "a string")
        raise ConfigurationError(
            f"setting {name!r} from {source} is {raw!r}: expected {expected}", setting=name) from None
    if kind in (int, float) and value <= 0 and name not in {"max_repairs", "model_retries", "temperature",
                                                                           "doubt_candidates", "column_samples"}:
        raise ConfigurationError(f"setting {name!r} from {source} must be positive, got {raw!r}", setting=name)
    if kind in (int, float) and value < 0:
        raise ConfigurationError(f"setting {name!r} from {source} must not be negative, got {raw!r}", setting=name)
    if name in ("candidates", "doubt_candidates") and value > MAX_CANDIDATES:
        raise ConfigurationError(f"setting {name!r} from {source} must be at most {MAX_CANDIDATES}, got {raw!r}",
                                 setting=name)
    if name == "column_samples" and value > MAX_COLUMN_SAMPLES:
        raise ConfigurationError(f"setting 'column_samples' from {source} must be at most {MAX_COLUMN_SAMPLES} "
                                 f"values per column, got {raw!r}", setting=name)
    if name == "allowed_functions":
        for item in function_names(value):
            if not FUNCTION_NAME.match(item):
                raise ConfigurationError(f"setting 'allowed_functions' from {source} names {item!r}, which is not "
                                         "a function name", setting=name,
                                         hint="Write names like fiscal_quarter or analytics.fiscal_quarter, "
                                         "separated by commas.")
    if name == "schemas":
        from .data.schema_filter import SchemaFilter

        SchemaFilter.parse(value)  # one clear sentence for a bad pattern, before any catalog is read
    if choices and value not in choices:
        raise ConfigurationError(
            f"setting {name!r} from {source} is {raw!r}: expected one of {', '.join(choices)}", setting=name)
    return value


def function_names(value: str) -> tuple[str, ...]:
    """The names of an ``allowed_functions`` value (commas between them).

    >>> function_names("fiscal_quarter, analytics.fiscal_year")
    ('fiscal_quarter', 'analytics.fiscal_year')
    """
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


def find_pyproject(start: Path | None) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` (the working directory)."""
    if start is None:
        return None
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _pyproject_values(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path}: {exc}", hint="Fix the TOML syntax of that file.") from exc
    section = data.get("tool", {}).get("vanna_magic", {})
    if not isinstance(section, dict):
        raise ConfigurationError(f"{path}: [tool.vanna_magic] must be a table")
    # Sub-tables (named connections and the like) belong to other features.
    return {k: v for k, v in section.items() if not isinstance(v, dict)}


def load_dotenv_file(start: Path | None) -> None:
    """Load ``.env`` from the project folder into the environment, never overriding it."""
    if start is None:
        return
    project = find_pyproject(start)
    env_file = (project.parent if project else start) / ".env"
    if env_file.is_file():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    start: Path | None | str = "cwd",
) -> Settings:
    """Resolve every setting from its sources (see the module docstring).

    Args:
        overrides: values given explicitly (magic arguments, traits, ``Session(...)`` keywords).
        environ: the environment to read ``VANNA_MAGIC_*`` from; ``os.environ`` by default.
        start: where to look for ``pyproject.toml`` and ``.env``; ``None`` disables both.
    """
    start_path = Path.cwd() if start == "cwd" else (Path(start) if start is not None else None)
    if environ is None:
        load_dotenv_file(start_path)
        environ = os.environ
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    pyproject = find_pyproject(start_path)
    for name, raw in _pyproject_values(pyproject).items():
        values[name] = _convert(name, raw, f"{pyproject} [tool.vanna_magic]")
        sources[name] = "pyproject"
    known = set(setting_names())
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX) or key == ENV_PREFIX + "API_KEY":
            continue
        name = key[len(ENV_PREFIX):].lower()
        if name not in known:
            continue  # other tools may share the prefix; unknown names are not ours to reject
        values[name] = _convert(name, raw, f"environment variable {key}")
        sources[name] = "env"
    for name, raw in (overrides or {}).items():
        values[name] = _convert(name, raw, "override")
        sources[name] = "override"
    return Settings(**values, _sources=sources)


def api_key(environ: Mapping[str, str] | None = None) -> str | None:
    """The API key for the model, from ``VANNA_MAGIC_API_KEY`` (providers' own variables also work)."""
    return (environ or os.environ).get(ENV_PREFIX + "API_KEY") or None


_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)(?P<pw>[^@\s]+)(?P<at>@)")


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """Remove passwords in URLs and the values of secret environment variables from ``text``.

    >>> redact("postgresql://ann:s3cret@db/sales failed", environ={})
    'postgresql://ann:***@db/sales failed'
    """
    text = _URL_PASSWORD.sub(lambda m: m["head"] + "***" + m["at"], str(text))
    for key, value in (environ if environ is not None else os.environ).items():
        if value and len(value) >= 6 and _SECRET_ENV.search(key) and value in text:
            text = text.replace(value, "***")
    return text
