"""``vanna-magic eval``: the team's own accuracy, every knowledge-base example asked with itself held out.

Exit codes: 0 the run finished (at or above ``--min-accuracy``), 1 below ``--min-accuracy``, 2 bad input
(an option, an empty knowledge base, an unreachable database, a replay miss, a run that stopped early),
130 interrupted (the report of what was measured is still printed and written).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .core.config import redact
from .core.errors import VannaError

if TYPE_CHECKING:
    from .core.evaluate.report import Evaluation, EvaluationProgress

BAD_INPUT, BELOW, INTERRUPTED = 2, 1, 130


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _percent(text: str) -> float:
    """``80`` or ``80%``: a share of the counted examples, in percent."""
    try:
        value = float(text.strip().removesuffix("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentage from 0 to 100, got {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"expected a percentage from 0 to 100, got {text!r}")
    return value


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "eval", help="ask every knowledge-base example's question with that example held out, and score the "
        "answers by execution against the example's own SQL",
        description="Leave-one-out accuracy of the knowledge base on its database. Exit codes: 0 done, 1 below "
        "--min-accuracy, 2 bad input, 130 interrupted.")
    parser.add_argument("--kb", metavar="DIR", help="the knowledge-base folder (default: from settings)")
    parser.add_argument("--connection", "--db", metavar="URL|NAME",
                        help="SQLAlchemy URL or connection name (default: from settings, else the demo database)")
    parser.add_argument("--model", help="litellm model string (default: from settings)")
    replay = parser.add_mutually_exclusive_group()
    replay.add_argument("--replay", metavar="FILE", help="serve model responses from this replay file (no model call)")
    replay.add_argument("--record", metavar="FILE", help="call the model and record its responses to this file")
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--limit", type=_positive, metavar="N", help="only the first N examples")
    chosen.add_argument("--sample", type=_positive, metavar="N", help="N examples at random (the same N every run)")
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="which random sample (default 0)")
    parser.add_argument("--min-accuracy", type=_percent, metavar="P",
                        help="exit 1 when fewer than P%% of the counted examples are right")
    parser.add_argument("--json", metavar="PATH", help="write the report as JSON (for --compare next time)")
    parser.add_argument("--junit", metavar="PATH", help="write the report as JUnit XML, one test per example")
    parser.add_argument("--compare", metavar="PREVIOUS.json",
                        help="say which examples got better or worse since the run written there with --json")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on standard error")


def _settings(args: argparse.Namespace) -> dict:
    overrides = {"knowledge_base": args.kb, "connection": args.connection, "model": args.model}
    if args.replay or args.record:
        overrides.update(replay_file=args.replay or args.record, replay_mode="replay" if args.replay else "record")
    return {key: value for key, value in overrides.items() if value}


def _progress(event: "EvaluationProgress") -> None:
    result = event.result
    print(f"[{event.done}/{event.total}] {result.outcome:<16} {result.question}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from .core.evaluate.report import Evaluation
    from .core.session import Session

    try:
        previous = Evaluation.load(args.compare) if args.compare else None
        session = Session(**_settings(args))
        for problem in session.knowledge_problems():
            print(f"knowledge base: skipped {problem}", file=sys.stderr)
        evaluation = session.evaluate(limit=args.limit, sample=args.sample, seed=args.seed,
                                      progress=None if args.quiet else _progress)
    except VannaError as exc:
        print(redact(f"error [{exc.stage}]: {exc.message}"), file=sys.stderr)
        return BAD_INPUT
    if previous is not None:
        evaluation.compare(previous)
    print(evaluation.text())
    written = _write(evaluation, args)
    if written is not None:
        return written
    return _verdict(evaluation, args.min_accuracy)


def _write(evaluation: "Evaluation", args: argparse.Namespace) -> int | None:
    for path, write in ((args.json, evaluation.write_json), (args.junit, evaluation.write_junit)):
        if not path:
            continue
        try:
            print(f"wrote {write(path)}", file=sys.stderr)
        except OSError as exc:
            print(f"error [eval]: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
            return BAD_INPUT
    return None


def _verdict(evaluation: "Evaluation", minimum: float | None) -> int:
    if evaluation.stopped:
        print(f"error [eval]: {evaluation.stopped}", file=sys.stderr)
        return INTERRUPTED if evaluation.stopped.startswith("interrupted") else BAD_INPUT
    if minimum is None:
        return 0
    accuracy = evaluation.accuracy
    if accuracy is None:
        print("error [eval]: no example could be counted, so there is no accuracy to hold to --min-accuracy",
              file=sys.stderr)
        return BELOW
    if accuracy * 100 < minimum - 1e-9:
        print(f"accuracy {accuracy:.1%} is below --min-accuracy {minimum:g}%", file=sys.stderr)
        return BELOW
    return 0
