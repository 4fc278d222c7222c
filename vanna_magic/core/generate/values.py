"""Value linking: the literal values a question names, found in the database, and where they live.

"Papers about Machine Learning" should filter ``domain.name = 'Machine Learning'``, not
``keyword.keyword LIKE '%machine learning%'``. A :class:`ValueIndex` holds the distinct
values of a connection's short text columns with few distinct values (bounded per
column and in total, read in a few bulk queries, cached on disk per connection and
schema, rebuilt when the catalog is refreshed); :meth:`ValueIndex.match` finds the
question's own words among them, exactly (ignoring case and punctuation) or, failing
that, by a cheap fuzzy match.

Privacy: only values that match words of the question reach the prompt; no other
value and no row is ever sent to the model.

>>> index = ValueIndex([(None, "domain", "name")], {0: ["Machine Learning", "Databases"]})
>>> [(m.value, m.column) for m in index.match("Papers in machine learning since 2015")]
[('Machine Learning', 'domain.name')]
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from ..answer import ValueMatch
from ..errors import ExecutionError, QueryTimeoutError, VannaError

if TYPE_CHECKING:
    from ..context import AskContext
    from ..data.catalog import Catalog, Table
    from ..data.database import Database
    from ..guard.policy import RolePolicy

MAX_PER_COLUMN = 1000  # a column with more distinct values (names, e-mails, ids) is not indexed
MAX_TOTAL = 100_000  # values kept over the whole connection
MAX_LENGTH = 80  # longer values are prose, not something a question names
SCAN_ROWS = 200_000  # distinct values are read from at most this many rows of each table
MAX_COLUMNS = 2_000  # text columns read per connection
BATCH = 40  # columns read per statement
MAX_WORDS = 6  # the longest value, in words, a question is searched for
MAX_MATCHES = 8  # values shown to the model
MAX_COLUMNS_PER_VALUE = 4
FUZZY_CUTOFF = 0.88
FUZZY_MIN_LENGTH = 5
FORMAT = 1

_TEXT_TYPE = re.compile(r"CHAR|TEXT|STRING|CITEXT|\bNAME\b|\bENUM\b", re.IGNORECASE)
_NOT_TEXT = re.compile(r"LOB|BINARY|BYTEA|JSON|XML|ARRAY|\[\]", re.IGNORECASE)
_WORD = re.compile(r"\w+")
# Words that never start or end a value mention on their own ("in", "the", "how many").
_STOPWORDS = frozenset(
    "a about above after all also am an and any are as at be been before being below between both but by can could "
    "did do does doing during each every few for from had has have having he her here hers him his how i if in into "
    "is it its itself just me more most my no nor not of off on once only or other our ours out over own per same "
    "she should so some such than that the their theirs them then there these they this those through to too under "
    "until up very was we were what when where which while who whom whose why will with within without would you "
    "your list show give find tell many much number count total average sum top least each name names".split())


def _key(text: str) -> str:
    """Lower case, punctuation dropped: ``"Home & Kitchen"`` -> ``"home kitchen"``."""
    return " ".join(_WORD.findall(text.casefold()))


def is_text_column(type_name: str) -> bool:
    """Whether a column of this declared type holds short text worth indexing."""
    return bool(_TEXT_TYPE.search(type_name or "")) and not _NOT_TEXT.search(type_name or "")


class ValueIndex:
    """Distinct values of text columns, looked up by their words.

    Args:
        columns: ``(schema, table, column)`` per column id.
        values: column id -> the distinct values read from it.
        dialect: the connection's dialect, for how column names are written.
    """

    def __init__(self, columns: Sequence[tuple[str | None, str, str]], values: dict[int, list[str]],
                 dialect: str = "sqlite"):
        from ..data.schema import qualified

        self.columns = [tuple(c) for c in columns]
        self.names = [f"{qualified(schema, table, dialect)}.{column}" for schema, table, column in self.columns]
        self.values = {int(k): list(v) for k, v in values.items()}
        self._by_key: dict[str, list[tuple[int, str]]] = {}
        for column_id, column_values in self.values.items():
            for value in column_values:
                key = _key(value)
                if key:
                    self._by_key.setdefault(key, []).append((column_id, value))
        # Fuzzy candidates: keys sharing the first two characters, by length.
        self._buckets: dict[str, list[str]] = {}
        for key in self._by_key:
            self._buckets.setdefault(key[:2], []).append(key)
        self.max_words = min(MAX_WORDS, max((key.count(" ") + 1 for key in self._by_key), default=1))
        self.problems: list[str] = []  # columns that could not be read when the index was built

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.values.values())

    def match(self, question: str, allowed: set[tuple[str | None, str, str]] | None = None) -> list[ValueMatch]:
        """Values the question names, longest mentions first; ``allowed`` limits the columns searched."""
        words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(question)]
        covered = [False] * len(words)
        found: list[tuple[int, ValueMatch]] = []  # (position in the question, match)
        seen: set[tuple] = set()
        for fuzzy in (False, True):
            for n in range(min(self.max_words, len(words)), 0, -1):
                for start in range(len(words) - n + 1):
                    span = range(start, start + n)
                    if any(covered[i] for i in span) or not _mention(words[start:start + n]):
                        continue
                    key = " ".join(w.casefold() for w, _, _ in words[start:start + n])
                    hits = self._fuzzy(key) if fuzzy else [(key, 1.0)] if key in self._by_key else []
                    for hit, score in hits:
                        match = self._located(question[words[start][1]:words[start + n - 1][2]], hit, score, allowed)
                        if match is not None and match.where not in seen:
                            seen.add(match.where)
                            found.append((words[start][1], match))
                            for i in span:
                                covered[i] = True
                            break
        return [match for _, match in sorted(found, key=lambda item: item[0])][:MAX_MATCHES]

    def _located(self, phrase: str, key: str, score: float,
                 allowed: set[tuple[str | None, str, str]] | None) -> ValueMatch | None:
        entries = [(c, v) for c, v in self._by_key.get(key, ()) if allowed is None or self.columns[c] in allowed]
        if not entries:
            return None
        # The question's own spelling first, where it is stored that way.
        entries.sort(key=lambda entry: (entry[1] != phrase, entry[0]))
        where = tuple(dict.fromkeys((self.names[c], v) for c, v in entries))[:MAX_COLUMNS_PER_VALUE]
        return ValueMatch(phrase=phrase, where=where, score=score)

    def _fuzzy(self, key: str) -> list[tuple[str, float]]:
        if len(key) < FUZZY_MIN_LENGTH:
            return []
        candidates = [k for k in self._buckets.get(key[:2], ()) if abs(len(k) - len(key)) <= max(2, len(key) // 5)]
        scored = []
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        for candidate in candidates:
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() >= FUZZY_CUTOFF and matcher.quick_ratio() >= FUZZY_CUTOFF:
                ratio = matcher.ratio()
                if ratio >= FUZZY_CUTOFF:
                    scored.append((candidate, round(ratio, 3)))
        return sorted(scored, key=lambda item: (-item[1], item[0]))[:1]

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "columns": self.columns,
                           "values": {str(k): v for k, v in self.values.items()}}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, dialect: str) -> "ValueIndex | None":
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        return cls([tuple(c) for c in data["columns"]], data["values"], dialect)


def _mention(words: Sequence[tuple[str, int, int]]) -> bool:
    """Whether these question words could name a value: not a lone stopword or number, no stopword at the ends."""
    first, last = words[0][0].casefold(), words[-1][0].casefold()
    if first in _STOPWORDS or last in _STOPWORDS:
        return False
    if len(words) == 1 and (len(first) < 2 or first.isdigit()):
        return False
    return not all(w.isdigit() for w, _, _ in words)


def indexed_columns(tables: Iterable["Table"]) -> list[tuple["Table", str]]:
    """The (table, column) pairs worth reading: short text columns of tables (not views) that have rows."""
    chosen = []
    for table in tables:
        if table.extra.get("kind", "table") != "table" or table.row_estimate == 0:
            continue
        chosen += [(table, c.name) for c in table.columns if is_text_column(c.type)]
    return chosen[:MAX_COLUMNS]


def _column_sql(table: "Table", column: str, position: int, dialect: str) -> str:
    from ..data.schema import quote

    name = ".".join(quote(part, "postgres") for part in ((table.schema,) if table.schema else ()) + (table.name,))
    col = quote(column, "postgres")
    return (f"SELECT {position} AS k, v FROM (SELECT DISTINCT v FROM (SELECT {col} AS v FROM {name} "
            f"LIMIT {SCAN_ROWS}) AS s WHERE v IS NOT NULL LIMIT {MAX_PER_COLUMN + 1}) AS d")


def _statement(parts: list[str], dialect: str) -> str:
    import sqlglot

    return sqlglot.transpile(" UNION ALL ".join(parts), read="postgres", write=dialect)[0]


def build(db: "Database", tables: Sequence["Table"], dialect: str, problems: list[str] | None = None) -> ValueIndex:
    """Read the distinct values of ``tables``' text columns in batches of a few dozen columns per statement.

    A batch the database rejects (a table the connection may not read) is read again column by
    column; columns that still fail, and batches that time out, are named in ``problems`` and left
    out. A lost connection is raised.
    """
    from ..data.schema import fetch_rows

    problems = [] if problems is None else problems
    chosen = indexed_columns(tables)
    columns = [(t.schema, t.name, c) for t, c in chosen]
    read: dict[int, list] = {}

    def run(ids: list[int]) -> None:
        sql = _statement([_column_sql(chosen[i][0], chosen[i][1], i, dialect) for i in ids], dialect)
        def fetch() -> list:
            with db.reading() as conn:
                return fetch_rows(conn, sql)

        for k, v in db.bounded(fetch):
            read.setdefault(int(k), []).append(v)

    for start in range(0, len(chosen), BATCH):
        ids = list(range(start, min(start + BATCH, len(chosen))))
        try:
            run(ids)
        except QueryTimeoutError as exc:  # column by column would wait as long again for each
            problems.append(f"{len(ids)} columns from {columns[ids[0]][1]}.{columns[ids[0]][2]} on: {exc.message}")
        except ExecutionError:
            for i in ids:
                try:
                    run([i])
                except (ExecutionError, QueryTimeoutError) as exc:
                    problems.append(f"{columns[i][1]}.{columns[i][2]}: {exc.message}")
    values: dict[int, list[str]] = {}
    total = 0
    for i in sorted(read):
        kept = [v for v in read[i] if isinstance(v, str) and v.strip() and len(v) <= MAX_LENGTH]
        if len(read[i]) > MAX_PER_COLUMN or not kept or total + len(kept) > MAX_TOTAL:
            continue
        values[i] = sorted(kept)
        total += len(kept)
    index = ValueIndex(columns, values, dialect)
    index.problems = problems
    return index


def cache_key(url: str, tables: Sequence["Table"]) -> str:
    """The cache file's key: the connection (without its password) and the schema of its text columns."""
    shape = [(t.schema, t.name, c) for t, c in indexed_columns(tables)]
    text = json.dumps([url, FORMAT, MAX_PER_COLUMN, SCAN_ROWS, shape], default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


_LOCK = threading.Lock()
_INDEXES: "weakref.WeakKeyDictionary[Catalog, tuple[int, ValueIndex]]" = weakref.WeakKeyDictionary()


def value_index(catalog: "Catalog", tables: Sequence["Table"], dialect: str, cache_dir: Path) -> ValueIndex:
    """The catalog's value index: in memory, else from the cache file, else read from the database.

    Refreshing the catalog (``%vanna schema --refresh``) reads the values again.
    """
    with _LOCK:
        held = _INDEXES.get(catalog)
        if held is not None and held[0] == catalog.generation:
            return held[1]
        path = Path(cache_dir) / "values" / f"values-{cache_key(catalog.db.url, tables)}.json"
        # DataFrames and files change without the database knowing: their values are read for this session only.
        keep = getattr(catalog.db, "values_cacheable", True)
        index = None
        if keep and held is None and path.is_file():  # a refreshed catalog never trusts the file
            try:
                index = ValueIndex.from_json(path.read_text(encoding="utf-8"), dialect)
            except (OSError, ValueError, KeyError, TypeError):
                index = None
        if index is None:
            index = build(catalog.db, tables, dialect)
            try:
                if keep:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_suffix(".tmp")
                    tmp.write_text(index.to_json(), encoding="utf-8")
                    tmp.replace(path)
            except OSError:
                pass  # an unwritable cache costs a rebuild next session, nothing else
        _INDEXES[catalog] = (catalog.generation, index)
        return index


def allowed_columns(tables: Sequence["Table"], policy: "RolePolicy | None") -> set[tuple[str | None, str, str]]:
    """Columns whose values may be named to the model: visible, not masked, in tables without a row filter."""
    allowed = set()
    for table in tables:
        keys = {table.name.lower(), f"{table.schema}.{table.name}".lower()}
        if policy is not None and keys & set(policy.rows):
            continue  # the index holds every row's values; this role sees only some rows
        masked = {c.lower() for key in keys for c in policy.masks.get(key, {})} if policy is not None else set()
        allowed |= {(table.schema, table.name, c.name) for c in table.columns if c.name.lower() not in masked}
    return allowed


def link_values(ctx: "AskContext", tables: Sequence["Table"]) -> None:
    """Find the question's values and add them (and the tables holding them) to what was retrieved.

    ``tables`` are the tables the role may see; a database error reading values leaves a note, never fails.
    """
    retrieved = ctx.answer.retrieved
    try:
        index = value_index(ctx.catalog, ctx.catalog.tables(), ctx.firewall.dialect, ctx.settings.cache_path)
    except VannaError as exc:
        ctx.answer.notes.append(f"values were not linked: {exc.message}")
        return
    if index.problems:  # said once, by the question that built the index
        ctx.answer.notes.append(f"values of {len(index.problems)} text column(s) could not be read for value "
                                f"linking, e.g. {index.problems[0]}")
        index.problems = []
    retrieved.values = index.match(ctx.question, allowed_columns(tables, getattr(ctx.firewall, "policy", None)))
    present = {(t.schema, t.name) for t in retrieved.tables}
    by_name = {index.names[i].rpartition(".")[0]: index.columns[i][:2] for i in range(len(index.columns))}
    for match in retrieved.values:
        for column in match.columns:
            key = by_name.get(column.rpartition(".")[0])
            table = next((t for t in tables if (t.schema, t.name) == key), None)
            if table is not None and key not in present:
                retrieved.tables.append(table)
                present.add(key)
