"""The knowledge base: example pairs, semantic definitions and documents, read from files.

Layout of a knowledge-base folder (several folders may be combined)::

    examples/**/*.sql          "-- Question: ..." (and "-- Description: ...") headers, then one statement
    semantic.yaml, semantic/*.yaml   metrics, dimensions, glossary, relationships, tables
    docs/**/*.md               Markdown; a file named after a table documents that table

A malformed file becomes a :class:`KnowledgeBaseError` in ``problems`` (with its path and
line) and the other files still load.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Sequence

from ..errors import KnowledgeBaseError
from .base import PARSE_DIALECTS, Document, Example, KnowledgeBase, question_key

_HEADER = re.compile(r"--\s*([A-Za-z][A-Za-z0-9 _-]*?)\s*:\s*(.*?)\s*")
_TITLE = re.compile(r"#\s+(.+?)\s*#*\s*")

# section -> (kind, required keys, optional keys)
_SECTIONS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "metrics": ("metric", ("name", "description", "sql"), ("filter", "tables")),
    "dimensions": ("dimension", ("name", "description", "sql"), ("tables",)),
    "glossary": ("glossary", ("term", "definition"), ()),
    "relationships": ("relationship", ("from", "to"), ("description",)),
    "tables": ("table", ("name", "description"), ("columns",)),
}


def load_knowledge_base(roots: Sequence[Path]) -> KnowledgeBase:
    """Read every knowledge-base file under ``roots``; malformed files become ``problems`` and are skipped.

    ``content_hash`` is a sha256 over the relative paths and bytes of every file read.
    """
    loader = _Loader(KnowledgeBase(roots=[Path(r) for r in roots]))
    for position, root in enumerate(loader.kb.roots):
        if not root.is_dir():
            what = "is not a folder" if root.exists() else "does not exist"
            loader.problem(f"the knowledge-base folder {what}", root, None,
                           "Point VannaMagic.knowledge_base at a folder holding examples/, semantic.yaml or docs/.")
            continue
        for path in _files(root, "examples", (".sql",)):
            loader.example(root, position, path)
        semantic = [root / n for n in ("semantic.yaml", "semantic.yml") if (root / n).is_file()]
        for path in semantic + _files(root, "semantic", (".yaml", ".yml")):
            loader.semantic(root, position, path)
        for path in _files(root, "docs", (".md",)):
            loader.document(root, position, path)
    return loader.finish()


def _files(root: Path, folder: str, suffixes: tuple[str, ...]) -> list[Path]:
    """Files under ``root/folder`` with one of ``suffixes``, sorted, skipping hidden folders and files."""
    base = root / folder
    if not base.is_dir():
        return []
    found = [p for p in base.rglob("*") if p.suffix.lower() in suffixes and p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return sorted(found)


class _Loader:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.hashed: list[tuple[str, bytes]] = []
        self.questions: dict[str, tuple[Example, int]] = {}

    def problem(self, message: str, path: Path, line: int | None, hint: str | None = None) -> None:
        self.kb.problems.append(KnowledgeBaseError(message, path=str(path), line=line, hint=hint))

    def read(self, root: Path, position: int, path: Path) -> str | None:
        """The text of ``path`` (recorded for the content hash), or ``None`` after recording a problem."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.problem(f"cannot read the file: {exc.strerror or exc}", path, None)
            return None
        self.hashed.append((f"{position}/{path.relative_to(root).as_posix()}", data))
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            self.problem(f"the file is not valid UTF-8 (byte {exc.start})", path, line,
                         "Save the file as UTF-8.")
            return None

    def example(self, root: Path, position: int, path: Path) -> None:
        text = self.read(root, position, path)
        if text is None:
            return
        lines = text.splitlines()
        headers: dict[str, tuple[str, int]] = {}
        start = 0
        while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith("--")):
            match = _HEADER.fullmatch(lines[start].strip())
            if match:
                headers.setdefault(match[1].lower(), (match[2], start + 1))
            start += 1
        if "question" not in headers:
            self.problem("missing the '-- Question: ...' header", path, 1,
                         "Start the file with a line like '-- Question: Which 5 customers spent the most?'.")
            return
        question, question_line = headers["question"]
        if not question:
            self.problem("the question is empty", path, question_line, "Write the question after '-- Question:'.")
            return
        body = "\n".join(lines[start:]).strip()
        sql_line = start + 1
        if not body:
            self.problem("no SQL after the headers", path, min(sql_line, max(len(lines), 1)),
                         "Write the SQL statement that answers the question below the headers.")
            return
        if not self._valid_sql(body, path, sql_line):
            return
        key = question_key(question)
        if key in self.questions:
            first, first_position = self.questions[key]
            if first_position != position:
                self.problem(f"the question {question!r} is overridden by {first.path}, from a knowledge base "
                             "of higher precedence", path, question_line,
                             "Remove one of the two examples if they should not differ.")
            else:
                self.problem(f"the question {question!r} is already answered by {first.path}",
                             path, question_line, "Remove one of the two examples or reword its question.")
            return
        description = headers.get("description", ("", 0))[0] or None
        sql = body.rstrip().rstrip(";").rstrip()
        example = Example(question=question, sql=sql, description=description, path=str(path), line=sql_line)
        self.questions[key] = (example, position)
        self.kb.examples.append(example)

    def _valid_sql(self, sql: str, path: Path, sql_line: int) -> bool:
        """Record a problem unless ``sql`` parses (in some dialect) as exactly one statement."""
        import sqlglot
        from sqlglot.errors import ParseError, TokenError

        first_error: Exception | None = None
        for dialect in PARSE_DIALECTS:
            try:
                statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
            except (ParseError, TokenError) as exc:
                first_error = first_error or exc
                continue
            if not statements:
                self.problem("no SQL after the headers (only comments)", path, sql_line)
                return False
            if len(statements) > 1:
                self.problem(f"{len(statements)} SQL statements; an example holds exactly one", path,
                             sql_line + _second_statement_line(sql, dialect) - 1,
                             "Split the file into one example per statement.")
                return False
            return True
        errors = getattr(first_error, "errors", None) or [{}]
        offset = errors[0].get("line") or 1
        detail = errors[0].get("description") or str(first_error).splitlines()[0]
        self.problem(f"the SQL does not parse: {detail}", path, sql_line + offset - 1)
        return False

    def semantic(self, root: Path, position: int, path: Path) -> None:
        import yaml

        text = self.read(root, position, path)
        if text is None:
            return
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return
            if not isinstance(node, yaml.MappingNode):
                self.problem("expected a mapping with metrics, dimensions, glossary or relationships",
                             path, node.start_mark.line + 1)
                return
            loader.flatten_mapping(node)
            for key_node, value_node in node.value:
                self._section(loader, path, key_node, value_node)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.problem(f"invalid YAML: {problem}", path, mark.line + 1 if mark else None)
        finally:
            loader.dispose()

    def _section(self, loader: Any, path: Path, key_node: Any, node: Any) -> None:
        import yaml

        from .entries import EXPECTED, make_entry, right_type

        name = loader.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
        line = node.start_mark.line + 1
        if name not in _SECTIONS:
            self.problem(f"unknown section {name!r}; expected one of {', '.join(_SECTIONS)}", path,
                         key_node.start_mark.line + 1)
            return
        if isinstance(node, yaml.ScalarNode) and loader.construct_object(node) is None:
            return
        if not isinstance(node, yaml.SequenceNode):
            self.problem(f"{name!r} must be a list of entries", path, line)
            return
        kind, required, optional = _SECTIONS[name]
        for item in node.value:
            entry_line = item.start_mark.line + 1
            if not isinstance(item, yaml.MappingNode):
                self.problem(f"each entry of {name!r} must be a mapping with {', '.join(required)}", path, entry_line)
                continue
            loader.flatten_mapping(item)
            values = {}
            lines = {}
            for key_node, value_node in item.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue  # unknown keys are ignored, and complex keys are never ours
                key = loader.construct_object(key_node)
                values[key] = loader.construct_object(value_node, deep=True)
                lines[key] = key_node.start_mark.line + 1
            missing = [k for k in required if values.get(k) in (None, "")]
            if missing:
                label = values.get(required[0])
                self.problem(f"{kind} {label!r} is missing {', '.join(repr(m) for m in missing)}"
                             if isinstance(label, str) and label else
                             f"a {kind} entry is missing {', '.join(repr(m) for m in missing)}", path, entry_line)
                continue
            wrong = [k for k in (*required, *optional) if k in values and values[k] is not None
                     and not right_type(k, values[k])]
            if wrong:
                self.problem(f"{kind} key {wrong[0]!r} must be {EXPECTED.get(wrong[0], 'text')}", path,
                             lines[wrong[0]])
                continue
            entry = make_entry(kind, values, path)
            if isinstance(entry, str):
                self.problem(entry, path, entry_line)
            elif isinstance(entry, Document):
                self.kb.documents.append(entry)
            else:
                self.kb.definitions.append(entry)

    def document(self, root: Path, position: int, path: Path) -> None:
        text = self.read(root, position, path)
        if text is None:
            return
        title, fenced = None, False
        for line in text.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            match = None if fenced else _TITLE.fullmatch(line.strip())
            if match:
                title = match[1]
                break
        self.kb.documents.append(Document(title=title or path.stem, text=text, path=str(path), table=path.stem))

    def finish(self) -> KnowledgeBase:
        digest = hashlib.sha256()
        for name, data in sorted(self.hashed):
            for part in (name.encode("utf-8"), data):
                digest.update(len(part).to_bytes(8, "little"))
                digest.update(part)
        self.kb.content_hash = digest.hexdigest()
        return self.kb


def _second_statement_line(sql: str, dialect: str | None) -> int:
    """1-based line, within ``sql``, where its second statement starts."""
    import sqlglot
    from sqlglot.tokens import TokenType

    tokens = sqlglot.tokenize(sql, read=dialect)
    seen_statement = False
    after_semicolon = False
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            after_semicolon = seen_statement
        elif after_semicolon:
            return token.line
        else:
            seen_statement = True
    return 1
