"""``%vanna eval``: the knowledge base's leave-one-out accuracy, shown as a table with each failure folded."""

from __future__ import annotations

import html
from typing import Any, Callable

from ...core.errors import VannaError
from ..options import positive_int
from . import command

EMPTY = {"text/plain": "", "text/html": ""}


def _eval_arguments(parser) -> None:
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--limit", type=positive_int, metavar="N", help="only the first N examples")
    chosen.add_argument("--sample", type=positive_int, metavar="N", help="N examples at random (the same N every run)")
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="which random sample (default 0)")
    parser.add_argument("--connection", metavar="URL", help="another database than the current one")
    parser.add_argument("--json", metavar="PATH", help="also write the report as JSON (for --compare later)")
    parser.add_argument("--compare", metavar="PREVIOUS.json", help="which examples got better or worse since then")


class EvaluationProgress:
    """One output line, ``evaluating 3 of 36 (2 right): <question>``, updated after each example and emptied
    at the end, so a notebook run again (nbval) sees the same outputs."""

    def __init__(self, show: Callable[..., Any] | None = None):
        if show is None:
            from IPython.display import display

            show = display
        self._handle = show(EMPTY, raw=True, display_id=True)
        self._right = 0

    def __call__(self, event) -> None:
        self._right += event.result.right
        line = f"evaluating {event.done} of {event.total} ({self._right} right): {event.result.question}"
        self._handle.update({"text/plain": line, "text/html": f"<div style='color:#666'>⏳ {html.escape(line)}</div>"},
                            raw=True)

    def close(self) -> None:
        self._handle.update(EMPTY, raw=True)


def _in_kernel() -> bool:
    """Whether outputs can be updated in place (a kernel; a terminal IPython shows no updating outputs)."""
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


@command("eval", "ask every knowledge-base example's question with that example held out, and score the answers "
         "by execution against the example's own SQL", _eval_arguments)
def evaluate(session, args):
    from ...core.evaluate.report import Evaluation

    previous = Evaluation.load(args.compare) if args.compare else None
    progress = EvaluationProgress() if session.settings.show_progress and _in_kernel() else None
    try:
        evaluation = session.evaluate(limit=args.limit, sample=args.sample, seed=args.seed,
                                      connection=args.connection, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    if previous is not None:
        evaluation.compare(previous)
    if args.json:
        try:
            print(f"wrote {evaluation.write_json(args.json)}")
        except OSError as exc:
            raise VannaError(f"cannot write {args.json}: {exc.strerror or exc}", stage="eval") from exc
    return evaluation
