"""One page of an answer's rows, for display: ``%vanna page N`` (the rows are never fetched again)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from .render import PAGE_ROWS

if TYPE_CHECKING:
    import pandas as pd

    from ..answer import Answer


class Page:
    """Rows ``(n - 1) * size + 1`` to ``n * size`` of ``answer``, all of them shown (no preview cut).

    Raises:
        VannaError: when the answer has no rows or page ``n`` does not exist (from :meth:`Answer.page`).
    """

    def __init__(self, answer: "Answer", number: int, size: int = PAGE_ROWS):
        self.frame: "pd.DataFrame" = answer.page(number, size)
        self.number = number
        self.size = size
        self.total = answer.row_count or 0
        self.pages = max(1, -(-self.total // size))
        self.capped = answer.capped
        self.question = answer.question

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1

    def heading(self) -> str:
        last = self.first + len(self.frame) - 1
        line = f"page {self.number} of {self.pages}: rows {self.first}-{last} of {self.total}"
        if self.number < self.pages:
            line += f" (next: %vanna page {self.number + 1})"
        if self.capped:
            line += "; the row cap cut the result, more rows exist (rerun with --limit N)"
        return line

    def _repr_mimebundle_(self, include=None, exclude=None):
        import pandas as pd

        frame = self.frame.copy()
        frame.index = pd.RangeIndex(self.first, self.first + len(frame))
        table = frame.to_html(border=0, max_rows=None, max_cols=None)
        text = frame.to_string(max_rows=None, max_colwidth=40)
        heading = self.heading()
        return {"text/plain": f"{heading}\n{text}",
                "text/html": f"<div style='color:#666;margin:4px 0'>{html.escape(heading)}</div>{table}"}

    def __repr__(self) -> str:
        return f"<Page {self.number}/{self.pages} of {self.total} rows>"
