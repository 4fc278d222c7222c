"""Managing example files: ``%vanna kb add|list|remove|rebuild``.

An example is accepted only after its SQL passed the firewall and ran on the session's
database. It is written atomically as a new ``examples/<slug>.sql`` file in the project
knowledge base (or the user's, on request); the demo knowledge base is never written.
The vector index follows on the next question: it is a cache keyed by file content, and
only the new text is embedded (see :func:`vanna_magic.core.knowledge.index.load_or_build`).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import ConfigurationError, VannaError
from .base import Example, question_key
from .sources import Source, knowledge_sources

if TYPE_CHECKING:
    from ..answer import Answer, ScoredExample
    from ..config import Settings
    from .base import KnowledgeBase
    from .retrieve import Retriever

NEAR_DUPLICATE = 0.75  # cosine from which an existing question is reported (one added word: ~0.8)
_SLUG_WORDS = 8


@dataclass
class Added:
    example: Example
    source: Source
    rows: int  # rows the SQL returned when it was checked
    near_duplicates: "list[ScoredExample]" = field(default_factory=list)
    indexed: dict[str, int] = field(default_factory=dict)


def add_example(question: str, sql: str, *, settings: "Settings", is_demo: bool, knowledge_base: "KnowledgeBase",
                retriever: Callable[[], "Retriever"], run_sql: Callable[[str], "Answer"],
                description: str | None = None, user: bool = False) -> Added:
    """Check ``sql`` (firewall, then a real run), then write the example; near-duplicates are reported.

    ``retriever()`` is the retriever of the knowledge base as its files are now: asked again once the
    example is written, it embeds only the new example. ``run_sql`` runs the SQL as ``%%vsql`` does.
    """
    question = " ".join((question or "").split())
    sql = (sql or "").strip().rstrip(";").strip()
    if not question:
        raise VannaError("the example has no question", stage="knowledge",
                         hint="Give one with --question 'Which 5 customers spent the most?'.")
    if not sql:
        raise VannaError("the example has no SQL", stage="knowledge",
                         hint="Give it with --sql 'SELECT ...', or ask the question first and run %vanna kb add.")
    source = _target(settings, is_demo, user=user)
    key = question_key(question)
    for existing in knowledge_base.examples:
        if question_key(existing.question) == key:
            raise VannaError(f"the question {question!r} is already answered by {existing.path}", stage="knowledge",
                             hint=f"Remove it first (%vanna kb remove {existing.path}) or reword the question.")
    near = [m for m in retriever().closest_questions(question, n=3) if m.score >= NEAR_DUPLICATE]
    answer = run_sql(sql)  # raises FirewallError / ExecutionError: nothing is written then
    path = _write(source.path / "examples", question, sql, description)
    example = Example(question=question, sql=sql, description=description, path=str(path))
    indexed = retriever().warm()  # the new content: only the new example is embedded
    return Added(example, source, len(answer.frame) if answer.frame is not None else 0, near, indexed)


def remove_example(target: str, *, settings: "Settings", is_demo: bool,
                   knowledge_base: "KnowledgeBase") -> tuple[Example, Source]:
    """Delete the example file named by ``target`` (its path, file name or question)."""
    sources = knowledge_sources(settings, is_demo=is_demo)
    wanted = target.strip()
    matches = [e for e in knowledge_base.examples if e.path and (
        _same_file(e.path, wanted) or Path(e.path).name == wanted or Path(e.path).stem == wanted
        or question_key(e.question) == question_key(wanted))]
    if not matches:
        raise VannaError(f"no knowledge-base example matches {wanted!r}", stage="knowledge",
                         hint="Give the file path or the exact question; %vanna kb list shows them.")
    if len(matches) > 1:
        raise VannaError(f"{len(matches)} examples match {wanted!r}: {', '.join(str(e.path) for e in matches)}",
                         stage="knowledge", hint="Give the full path of the one to remove.")
    example = matches[0]
    source = source_of(example, sources)
    if source is None or not source.writable:
        raise VannaError(f"{example.path} is in the read-only demo knowledge base", stage="knowledge",
                         hint="Only examples of your project's or your own knowledge base can be removed.")
    Path(example.path).unlink()
    return example, source


def list_examples(*, settings: "Settings", is_demo: bool, knowledge_base: "KnowledgeBase") -> list[dict]:
    """One row per example: question, which knowledge base (project, user, demo) and file."""
    sources = knowledge_sources(settings, is_demo=is_demo)
    rows = []
    for example in knowledge_base.examples:
        source = source_of(example, sources)
        rows.append({"question": example.question, "knowledge base": source.kind if source else "",
                     "file": str(Path(example.path).relative_to(source.path)) if source and example.path
                     else example.path})
    return rows


def source_of(example: Example, sources: list[Source]) -> Source | None:
    if not example.path:
        return None
    path = Path(example.path).resolve()
    for source in sources:
        if path.is_relative_to(source.path.resolve()):
            return source
    return None


def _same_file(path: str, wanted: str) -> bool:
    try:
        return Path(path).resolve() == Path(wanted).expanduser().resolve()
    except OSError:
        return False


def _target(settings: "Settings", is_demo: bool, *, user: bool) -> Source:
    sources = knowledge_sources(settings, is_demo=is_demo)
    if user:
        from .sources import default_user_knowledge_base

        found = [s for s in sources if s.kind == "user"]
        return found[0] if found else Source("user", Path(settings.user_knowledge_base or
                                                          default_user_knowledge_base()).expanduser())
    found = [s for s in sources if s.kind == "project"]
    if not found:
        raise ConfigurationError(
            "no project knowledge base is configured to add the example to", setting="knowledge_base",
            hint="Set %config VannaMagic.knowledge_base = 'kb/' (a folder in your repository), "
                 "or add --user to write to your own knowledge base.")
    return found[0]


def _write(folder: Path, question: str, sql: str, description: str | None) -> Path:
    """Write a new example file atomically; never overwrite an existing one."""
    folder.mkdir(parents=True, exist_ok=True)
    slug = "_".join(re.findall(r"[a-z0-9]+", question.lower())[:_SLUG_WORDS]) or "example"
    text = f"-- Question: {question}\n"
    if description:
        text += f"-- Description: {' '.join(description.split())}\n"
    text += f"{sql};\n"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".new-example-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        for n in range(1, 1000):
            path = folder / (f"{slug}.sql" if n == 1 else f"{slug}_{n}.sql")
            try:
                os.link(tmp, path)  # fails if the file exists: a teammate's example is never overwritten
                return path
            except FileExistsError:
                continue
        raise VannaError(f"too many examples named {slug}*.sql in {folder}", stage="knowledge",
                         hint="Reword the question.")
    finally:
        os.unlink(tmp)
