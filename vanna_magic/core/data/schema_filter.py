"""Which schemas the catalog reads: the ``schemas`` setting, include and exclude patterns in search order.

``schemas = "sales, finance_*, -*_archive"`` reads schema ``sales``, then the ``finance_`` ones, without
archives; unqualified names resolve in that order (the first include pattern a schema matches ranks it,
like a search path). Only ``-`` patterns: every schema but those. Patterns match case-insensitively, with
``*`` and ``?``.

>>> f = SchemaFilter.parse("sales, finance_*, -*_archive")
>>> [s for s in ["finance_eu", "hr", "sales", "finance_archive"] if f.allows(s)], f.order(["finance_eu", "sales"])
(['finance_eu', 'sales'], ['sales', 'finance_eu'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..errors import ConfigurationError

_PATTERN = re.compile(r"[A-Za-z0-9_$*?]+\Z")
_EXAMPLE = "e.g. 'sales, finance_*, -*_archive'"


@dataclass(frozen=True)
class SchemaFilter:
    include: tuple[str, ...]
    exclude: tuple[str, ...]

    @classmethod
    def parse(cls, text: str | None) -> "SchemaFilter | None":
        """The filter a ``schemas`` setting writes; None when unset. Bad patterns raise ConfigurationError."""
        if text is None or not str(text).strip():
            return None
        include: list[str] = []
        exclude: list[str] = []
        for item in str(text).split(","):
            item = item.strip()
            pattern = item[1:].strip() if item.startswith("-") else item
            if not _PATTERN.match(pattern):
                what = "an empty pattern" if not pattern else f"{item!r}, not a schema pattern"
                raise ConfigurationError(
                    f"setting 'schemas' has {what}: use schema names with * and ?, separated by commas, "
                    f"with - before those to leave out ({_EXAMPLE})", setting="schemas")
            (exclude if item.startswith("-") else include).append(pattern.lower())
        return cls(tuple(include), tuple(exclude))

    def rank(self, schema: str) -> int | None:
        """The position of the first include pattern ``schema`` matches (0 when only excludes are given);
        None when the filter leaves it out."""
        name = schema.lower()
        if any(fnmatchcase(name, pattern) for pattern in self.exclude):
            return None
        if not self.include:
            return 0
        return next((n for n, pattern in enumerate(self.include) if fnmatchcase(name, pattern)), None)

    def allows(self, schema: str) -> bool:
        return self.rank(schema) is not None

    def order(self, schemas: list[str]) -> list[str]:
        """The allowed ``schemas``, in pattern order (a stable sort: ties keep their given order)."""
        ranked = [(self.rank(s), s) for s in schemas]
        return [s for rank, s in sorted((r for r in ranked if r[0] is not None), key=lambda r: r[0])]
