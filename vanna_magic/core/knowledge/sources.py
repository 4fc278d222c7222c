"""Which knowledge bases a session reads, in order of precedence (highest first).

1. ``project``: ``VannaMagic.knowledge_base``, the team's folder in git;
2. ``user``: ``VannaMagic.user_knowledge_base``, or ``~/.config/vanna-magic/knowledge_base``
   (``$XDG_CONFIG_HOME`` respected) when that folder exists: your own examples, with every database;
3. ``demo``: the demo knowledge base, only with the demo database and no project knowledge base.

When two knowledge bases hold the same question, the one of higher precedence wins and the
other is reported as a problem ("overridden by ..."). Definitions and documents of every
knowledge base are all used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings


@dataclass(frozen=True)
class Source:
    kind: str  # "project" | "user" | "demo"
    path: Path

    @property
    def writable(self) -> bool:
        """Whether ``%vanna kb add`` may write here: never into the demo knowledge base shipped with the package."""
        return self.kind != "demo"


def default_user_knowledge_base() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config).expanduser() / "vanna-magic" / "knowledge_base"


def knowledge_sources(settings: Settings, *, is_demo: bool) -> list[Source]:
    """The knowledge bases to read, highest precedence first."""
    sources: list[Source] = []
    if settings.knowledge_base:
        sources.append(Source("project", Path(settings.knowledge_base).expanduser()))
    if settings.user_knowledge_base:
        sources.append(Source("user", Path(settings.user_knowledge_base).expanduser()))
    elif default_user_knowledge_base().is_dir():
        sources.append(Source("user", default_user_knowledge_base()))
    if is_demo and not settings.knowledge_base:
        from ..data.demo import demo_knowledge_base

        sources.append(Source("demo", demo_knowledge_base()))
    unique: dict[Path, Source] = {}
    for source in sources:
        unique.setdefault(source.path.resolve(), source)
    return list(unique.values())
