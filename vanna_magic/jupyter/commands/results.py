"""``%vanna page N``: page through the last answer's rows without running its query again."""

from __future__ import annotations

from ..options import positive_int
from . import command


def _page_arguments(parser) -> None:
    parser.add_argument("number", type=positive_int, metavar="N", help="the page, from 1 (500 rows a page)")


@command("page", "page N of the last answer's rows, 500 a page, without running the query again", _page_arguments,
         notebook=True)
def page(session, args, notebook):
    from ...core.display.paging import Page
    from ...core.errors import VannaError

    if notebook.last is None:
        raise VannaError("there is no answer to page through yet", stage="answer",
                         hint="Run %%ask or %%vsql first, then %vanna page N.")
    return Page(notebook.last, args.number)
