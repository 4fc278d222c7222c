"""``%vanna docs [TOPIC]``, ``%vanna search TEXT`` and ``%vanna kb add|list|remove|rebuild``."""

from __future__ import annotations

import time

from ...core.errors import VannaError
from ...core.results import SEARCH_KINDS
from ..options import positive_int
from . import command


class MarkdownPage:
    """Markdown shown rendered in a notebook and as its own text in a terminal."""

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(self.text)

    def __str__(self) -> str:
        return self.text


@command("docs", "the semantic layer (metrics, dimensions, glossary, relationships) and the documents, as Markdown",
         lambda parser: parser.add_argument("topic", nargs="?", metavar="TOPIC",
                                            help="only what concerns this table or definition"))
def docs(session, args) -> MarkdownPage:
    return MarkdownPage(session.docs(args.topic))


def _search_arguments(parser) -> None:
    parser.add_argument("text", nargs="+", metavar="TEXT")
    parser.add_argument("--kind", choices=SEARCH_KINDS, action="append", help="only hits of this kind (repeatable)")
    parser.add_argument("--limit", type=positive_int, default=10, metavar="N", help="hits shown (default 10)")


@command("search", "search tables, columns, metrics, glossary, docs and examples; each hit with its kind and score",
         _search_arguments)
def search(session, args):
    import pandas as pd

    hits = session.search(" ".join(args.text), limit=args.limit, kinds=args.kind or SEARCH_KINDS)
    return pd.DataFrame([{"kind": h.kind, "name": h.name, "score": h.score, "about": h.text, "file": h.path or ""}
                         for h in hits], columns=["kind", "name", "score", "about", "file"])


def _kb_arguments(parser) -> None:
    parser.add_argument("action", choices=("add", "list", "remove", "rebuild"))
    parser.add_argument("target", nargs="?", metavar="PATH|QUESTION", help="kb remove: the example to delete")
    parser.add_argument("--question", metavar="Q", help="kb add: the question (default: the last answer's)")
    parser.add_argument("--sql", metavar="SQL", help="kb add: the SQL (default: the last answer's)")
    parser.add_argument("--description", metavar="TEXT", help="kb add: a '-- Description:' line")
    parser.add_argument("--user", action="store_true", help="kb add: write to your own knowledge base")
    parser.add_argument("--check", action="store_true",
                        help="kb add: first ask the question without the example and say whether the answer is right")


@command("kb", "manage knowledge-base examples: add (the last answer, or --question/--sql), list, remove, rebuild",
         _kb_arguments, notebook=True)
def kb(session, args, notebook):
    if args.check and args.action != "add":
        raise VannaError(f"kb {args.action} takes no --check", stage="knowledge",
                         hint="Only kb add checks an example: %vanna kb add --check.")
    if args.action != "remove" and args.target:
        raise VannaError(f"kb {args.action} takes no {args.target!r}", stage="knowledge",
                         hint="Only kb remove takes an argument: the example's path or question.")
    return {"add": _add, "list": _list, "remove": _remove, "rebuild": _rebuild}[args.action](session, args, notebook)


def _add(session, args, notebook) -> None:
    question, sql = args.question, args.sql
    last = notebook.last
    if question is None or sql is None:
        if last is None or not getattr(last, "sql", None) or getattr(last, "status", None) == "error":
            raise VannaError("there is no answer to add", stage="knowledge",
                             hint="Ask a question first (%%ask), or give --question '...' --sql 'SELECT ...'.")
        question = question if question is not None else last.question
        sql = sql if sql is not None else last.sql
    if args.check:
        _check(session, question or "", sql)
    added = session.add_example(question or "", sql, description=args.description, user=args.user)
    print(f"added {added.example.path} to the {added.source.kind} knowledge base "
          f"(the SQL passed the firewall and returned {added.rows} rows)")
    for match in added.near_duplicates:
        print(f"  near-duplicate ({match.score:.2f}): {match.example.question!r} in {match.example.path}")


def _check(session, question: str, sql: str) -> None:
    """Say whether the engine already answers ``question`` as ``sql`` does (``Session.check_example``)."""
    result = session.check_example(question, sql)
    if result.right:
        print("checked: the model already answers this question right without the example "
              f"(confidence {result.confidence or 'none'}); the example still helps retrieval")
    elif result.counted:
        print(f"checked: without the example the answer is not right ({result.reason}); the example teaches it")
        if result.sql:
            print(f"  the model wrote: {' '.join(result.sql.split())}")
    else:
        print(f"checked: {result.reason}")


def _list(session, args, notebook):
    import pandas as pd

    return pd.DataFrame(session.examples(), columns=["question", "knowledge base", "file"])


def _remove(session, args, notebook) -> None:
    if not args.target:
        raise VannaError("kb remove needs the example to delete", stage="knowledge",
                         hint="Give its path or question: %vanna kb remove examples/top_customers.sql")
    example, source = session.remove_example(args.target)
    print(f"removed {example.path} from the {source.kind} knowledge base")


def _rebuild(session, args, notebook) -> None:
    start = time.perf_counter()
    sizes = session.rebuild_index()
    print(f"rebuilt the index in {time.perf_counter() - start:.2f} s: "
          + ", ".join(f"{n} {corpus}" for corpus, n in sizes.items()))
