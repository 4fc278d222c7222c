"""What a :class:`~vanna_magic.core.session.Session` offers about its knowledge base.

The docs, the search, the examples (add, list, remove), the index and the importers, over the
session's parts (:class:`~vanna_magic.core.parts.SessionParts`); ``Session`` builds on this class.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Sequence

from .errors import ConfigurationError, VannaError
from .parts import SessionParts
from .results import SEARCH_KINDS, Hit, KnowledgeImport
from .status import KnowledgeSummary

if TYPE_CHECKING:
    from .knowledge.base import Example
    from .knowledge.examples import Added
    from .knowledge.sources import Source

IMPORT_SOURCES = ("dbt", "metadata", "comments")


class SessionKnowledge(SessionParts):
    """The knowledge-base methods of ``Session`` (an example is checked with ``Session.run_sql``)."""

    def knowledge_problems(self, *, new: bool = False) -> list[str]:
        """The knowledge-base files skipped, and why; ``new``: only those not returned with ``new`` before."""
        problems = [str(problem) for problem in self.knowledge_base.problems]
        if not new:
            return problems
        fresh = [problem for problem in dict.fromkeys(problems) if problem not in self._problems_reported]
        self._problems_reported.update(fresh)
        return fresh

    def docs(self, topic: str | None = None) -> str:
        """The semantic layer and the documents as Markdown; ``topic``: only what concerns that table or name."""
        from .knowledge.semantic import render_markdown

        return render_markdown(self.knowledge_base, topic)

    def search(self, text: str, *, limit: int = 10, kinds: Sequence[str] = SEARCH_KINDS) -> list[Hit]:
        """Tables, columns, definitions, documents and examples most relevant to ``text``, best first
        (:mod:`vanna_magic.core.knowledge.search`); ``kinds``: only hits of these kinds."""
        from .knowledge.embed import make_embedder
        from .knowledge.search import SearchIndex

        catalog = None
        try:
            catalog = self.catalog()
            tables = catalog.tables()
        except VannaError:
            tables = []  # the knowledge base is still searchable without a database
        kb, settings = self.knowledge_base, self.settings
        # Built once per catalog read and knowledge base: 10,000 tables are 60,000 items to prepare.
        key = (id(catalog), getattr(catalog, "generation", 0), len(tables), kb.content_hash, settings.embedder,
               settings.api_base, str(settings.cache_path), tuple(kinds))
        index = self._part("search", key, lambda: SearchIndex(
            kb, tables, make_embedder(settings.embedder, api_base=settings.api_base), settings.cache_path / "index",
            kinds))
        return index.search(text, limit=limit)

    def add_example(self, question: str, sql: str, *, description: str | None = None, user: bool = False) -> "Added":
        """Check ``sql`` (the firewall, then a real run) and write it as an example of the project's knowledge
        base (``user``: your own); near-duplicate questions are reported (:mod:`vanna_magic.core.knowledge.examples`).
        """
        from .knowledge.examples import add_example

        return add_example(question, sql, settings=self.settings, is_demo=self.is_demo,
                           knowledge_base=self.knowledge_base, retriever=lambda: self.retriever,
                           run_sql=self.run_sql, description=description, user=user)

    def examples(self) -> list[dict]:
        """One row per example: its question, which knowledge base (project, user, demo) and file."""
        from .knowledge.examples import list_examples

        return list_examples(settings=self.settings, is_demo=self.is_demo, knowledge_base=self.knowledge_base)

    def remove_example(self, target: str) -> "tuple[Example, Source]":
        """Delete the example file named by ``target`` (its path, file name or question)."""
        from .knowledge.examples import remove_example

        return remove_example(target, settings=self.settings, is_demo=self.is_demo, knowledge_base=self.knowledge_base)

    def rebuild_index(self) -> dict[str, int]:
        """Embed the knowledge base again and write its index; how many items of each corpus."""
        return self.retriever.rebuild()

    def import_knowledge(self, source: str, to: str | os.PathLike, *, path: str | os.PathLike | None = None,
                         force: bool = False) -> KnowledgeImport:
        """Write knowledge-base docs and semantic YAML into the folder ``to``, from ``source``.

        ``dbt``: the dbt project at ``path`` (its folder, ``target/`` or ``manifest.json``); ``metadata``: the
        ``metadata.json`` at ``path``; ``comments``: the comments and keys of this session's database. Files
        not written by an importer are kept unless ``force`` (:mod:`vanna_magic.core.knowledge.importers`).
        """
        if source == "dbt":
            from .knowledge.importers.dbt import import_dbt

            result = import_dbt(path, to, force=force)
        elif source == "metadata":
            from .knowledge.importers.metadata import import_metadata

            result = import_metadata(path, to, force=force)
        elif source == "comments":
            from .knowledge.importers.comments import import_comments

            result = import_comments(self.catalog().tables(refresh=True), to, force=force)
        else:
            raise ConfigurationError(f"there is no importer for {source!r}", stage="knowledge",
                                     hint=f"Importers: {', '.join(IMPORT_SOURCES)}.")
        from .knowledge.files import load_knowledge_base

        written = KnowledgeSummary.of(load_knowledge_base([to]))
        return KnowledgeImport(tuple(str(f) for f in result.files), tuple(result.skipped), written)
