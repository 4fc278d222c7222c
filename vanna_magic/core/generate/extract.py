"""Pull the SQL statement out of a language model's answer.

Where SQL is looked for, best first; within a place the last candidate that parses wins
(a model that corrects itself puts the correction last):

1. ``<sql>...</sql>`` tags;
2. fenced blocks labelled as SQL (```` ```sql ````, ```` ```postgresql ````...);
3. fenced blocks without a label;
4. bare text: a line that starts with a statement keyword (``SELECT``, ``WITH``...), grown
   line by line while it is still SQL, and cut before the prose that follows it.

Every candidate is confirmed by parsing it with sqlglot in the connection's dialect.
Whether the statement may run is not decided here: that is the firewall's job.

>>> extract_sql("Here is the query:\\n```sql\\nSELECT 1;\\n```\\nIt returns one row.", "sqlite")
'SELECT 1'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import GenerationError
from ..guard import is_statement, parse_statements, quiet_sqlglot, sqlglot_dialect

SQL_LABELS = frozenset({"sql", "sqlite", "sqlite3", "postgres", "postgresql", "psql", "pgsql", "plpgsql", "plsql",
                        "oracle", "mysql", "mariadb", "duckdb", "tsql", "mssql", "ansi"})
START_KEYWORDS = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE",
                            "UPSERT", "CREATE", "DROP", "ALTER", "TRUNCATE", "GRANT", "REVOKE", "PRAGMA", "ATTACH",
                            "DETACH", "VACUUM", "EXPLAIN", "COPY", "CALL", "EXEC", "EXECUTE", "BEGIN", "COMMIT",
                            "SET"})
_PARSE_BUDGET = 200_000  # characters parsed per bare-text scan: long broken answers stay fast
_TAG = re.compile(r"<sql>(.*?)</sql>", re.I | re.S)
_FENCE = re.compile(r"```")
_LABEL_PREFIX = re.compile(r"[^:`\n]{1,40}:[ \t]+")  # "SQL: SELECT ..." / "Here is the query: SELECT ..."
_OPEN_ENDINGS = (",", "(", "+", "-", "*", "/", "=", "<", ">", "||")  # a line ending so is not finished
_WORD = re.compile(r"\(?[ \t]*([A-Za-z_]+)\b")


@dataclass(frozen=True)
class Block:
    """A fenced block: its info-string label, its text, and whether its closing fence was found."""

    label: str
    text: str
    closed: bool


def extract_sql(text: str, dialect: str) -> str:
    """Return the one SQL statement in a model's answer, without its trailing ``;``.

    Raises:
        GenerationError: the answer holds nothing that parses as SQL.
    """
    dialect = sqlglot_dialect(dialect)
    text = text or ""
    tags = [tag.strip() for tag in _TAG.findall(text)]
    blocks = fenced_blocks(text)
    labelled = [b.text for b in blocks if b.closed and b.label in SQL_LABELS]
    unlabelled = [b.text for b in blocks if b.closed and not b.label]
    places = (lambda: _with_inner_blocks(tags), lambda: labelled, lambda: unlabelled,
              lambda: bare_statements(text, dialect))
    for place in places:
        confirmed = [c for c in place() if _is_sql(c, dialect)]
        if confirmed:
            return _strip_terminator(confirmed[-1], dialect)
    # SQL the model clearly meant as SQL but that does not parse goes on to the firewall,
    # whose parse_error (with line and column) is a better repair prompt than "no SQL".
    meant = [c for c in _with_inner_blocks(tags) + labelled if _is_broken_sql(c, dialect)]
    if meant:
        return _strip_terminator(meant[-1], dialect)
    raise GenerationError("the model answered without SQL",
                          hint="Rephrase the question (name the tables or columns you mean), "
                               "or write the query yourself with %%vsql.",
                          response=text[:200])


def fenced_blocks(text: str) -> list[Block]:
    """The ```` ``` ```` blocks of a Markdown answer, in order; a block left open runs to the end."""
    blocks = []
    fences = [m.start() for m in _FENCE.finditer(text)]
    for opening, closing in zip(fences[::2], fences[1::2] + [None]):
        body = text[opening + 3: closing]
        first, newline, rest = body.partition("\n")
        info = first.strip()
        word, _, after = info.partition(" ")
        if word.lower() in SQL_LABELS:  # ```sql, ```sql title=x, or one-line ```sql SELECT 1```
            label, code = word.lower(), (rest if newline else after)
        elif newline and info and " " not in info and info.upper() not in START_KEYWORDS:
            label, code = info.lower(), rest  # another language: ```python
        else:  # no info string: the code starts right after the fence
            label, code = "", body
        blocks.append(Block(label=label, text=code.strip(), closed=closing is not None))
    return blocks


def bare_statements(text: str, dialect: str) -> list[str]:
    """Statements written straight into the prose, each cut before the prose that follows it."""
    lines = text.splitlines()
    found: list[str] = []
    budget = _Budget(_PARSE_BUDGET)
    index = 0
    while index < len(lines) and budget.chars > 0:
        column = _statement_start(lines[index])
        grown = None if column is None else _grow(lines, index, column, dialect, budget)
        if grown is None:
            index += 1
            continue
        statement, last = grown
        found.append(statement)
        index = last + 1
    return found


def _statement_start(line: str) -> int | None:
    """Column where a statement starts on this line, if it does: ``SELECT`` or ``select``, not ``Select``."""
    offset = len(line) - len(line.lstrip())
    for start in (offset, None):
        if start is None:
            prefix = _LABEL_PREFIX.match(line, offset)
            if prefix is None:
                return None
            start = prefix.end()
        word = _WORD.match(line, start)
        # "Select the rows..." and "Set the filter..." are prose; SQL keywords are written in one case.
        if word and word.group(1).upper() in START_KEYWORDS and (word.group(1).isupper() or word.group(1).islower()):
            return start
    return None


class _Budget:
    """Characters left to parse; every candidate tried while growing statements spends its length."""

    def __init__(self, chars: int):
        self.chars = chars

    def spend(self, chars: int) -> bool:
        self.chars -= chars
        return self.chars >= 0


def _grow(lines: list[str], first: int, column: int, dialect: str, budget: _Budget) -> tuple[str, int] | None:
    """Grow a statement from ``lines[first][column:]``; return its text and last line, or None."""
    parts = [lines[first][column:]]
    best: tuple[str, int] | None = None
    confirmed = False
    for index in range(first, len(lines)):
        line = lines[index]
        if index > first:
            if line.lstrip().startswith("```"):
                break
            kind = _first_token_kind(line, dialect)
            if kind == "word" and confirmed and not _continues(parts, line):
                break  # a sentence after a complete statement: the SQL ended
            parts.append(line)
            if kind == "none":  # blank or comment-only lines never end a statement
                continue
        if not _at_boundary(lines, index):
            continue  # an indented line follows: this one cannot be where the statement ends
        candidate = "\n".join(parts)
        if not budget.spend(len(candidate)):
            break
        confirmed = _is_sql(candidate, dialect)
        if confirmed:
            best = (candidate.strip(), index)
            if line.rstrip().endswith(";"):
                break
    return best


def _at_boundary(lines: list[str], index: int) -> bool:
    """True where a statement may end: before a blank line, an unindented line or the end, or at a ``;``."""
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if not following.strip() or not following[:1].isspace() or following.lstrip().startswith(("--", "/*")):
        return True
    return lines[index].rstrip().endswith(";")


def _continues(parts: list[str], line: str) -> bool:
    """An indented line, or one after a trailing comma or operator, belongs to the statement above."""
    if not parts[-1].strip():
        return False
    previous = next(p for p in reversed(parts) if p.strip())
    return line[:1].isspace() or previous.rstrip().endswith(_OPEN_ENDINGS)


def _first_token_kind(line: str, dialect: str) -> str:
    """``none`` (blank/comment), ``word`` (a name, string or number: prose can start so) or ``sql``."""
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import TokenError
    from sqlglot.tokens import TokenType

    if not line.strip():
        return "none"
    try:
        with quiet_sqlglot():
            tokens = Dialect.get_or_raise(dialect).tokenize(line)
    except TokenError:  # e.g. the apostrophe in "Here's why"
        return "word"
    if not tokens:
        return "none"
    return "word" if tokens[0].token_type in (TokenType.VAR, TokenType.IDENTIFIER, TokenType.STRING,
                                               TokenType.NUMBER) else "sql"


def _with_inner_blocks(texts: list[str]) -> list[str]:
    """Tag contents, with any fenced block inside a tag offered right after it."""
    out: list[str] = []
    for text in texts:
        out.append(text)
        out.extend(block.text for block in fenced_blocks(text))
    return out


def _is_sql(text: str, dialect: str) -> bool:
    from sqlglot.errors import SqlglotError

    try:
        statements = parse_statements(text, dialect)
    except (SqlglotError, RecursionError):
        return False
    return bool(statements) and all(is_statement(node) for node in statements)


def _is_broken_sql(text: str, dialect: str) -> bool:
    """True when ``text`` is meant as SQL but does not parse (not when it is empty or only comments)."""
    from sqlglot.errors import SqlglotError

    try:
        return bool(parse_statements(text, dialect)) and not _is_sql(text, dialect)
    except (SqlglotError, RecursionError):
        return True


def _strip_terminator(sql: str, dialect: str) -> str:
    """Drop the trailing ``;`` (and any comment after it)."""
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import TokenError
    from sqlglot.tokens import TokenType

    sql = sql.strip()
    try:
        with quiet_sqlglot():
            tokens = Dialect.get_or_raise(dialect).tokenize(sql)
    except TokenError:
        return sql.rstrip("; \t\n")
    while tokens and tokens[-1].token_type == TokenType.SEMICOLON:
        sql = sql[: tokens.pop().start].rstrip()
    return sql


__all__ = ["Block", "SQL_LABELS", "START_KEYWORDS", "bare_statements", "extract_sql", "fenced_blocks"]
