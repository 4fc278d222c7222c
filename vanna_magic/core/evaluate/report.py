"""What an evaluation of a knowledge base found: one :class:`ExampleResult` per example, and the
:class:`Evaluation` that sums them up (overall, per table, per confidence level), kept as JSON and
compared with an earlier run (:meth:`Evaluation.compare`).

An example is *counted* when its own SQL ran: its question was then answered right, wrong, or not at
all (``failed``: the model, the firewall or the database stopped it; counted as not right). An example
whose own SQL fails or is rejected by the firewall says so and is not counted.

>>> right = ExampleResult("How many orders?", "SELECT COUNT(*) FROM orders", RIGHT, tables=("orders",))
>>> wrong = ExampleResult("Orders per status?", "SELECT status, COUNT(*) FROM orders GROUP BY 1", WRONG,
...                       tables=("orders",), confidence="low")
>>> evaluation = Evaluation([right, wrong], total=2)
>>> evaluation.accuracy, evaluation.by_table()["orders"]
(0.5, Tally(right=1, counted=2))
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable, NamedTuple

from ..errors import ConfigurationError

RIGHT, WRONG, FAILED = "right", "wrong", "failed"  # counted
EXAMPLE_FAILS, EXAMPLE_REJECTED = "example_fails", "example_rejected"  # not counted: the example's own SQL
OUTCOMES = (RIGHT, WRONG, FAILED, EXAMPLE_FAILS, EXAMPLE_REJECTED)
NO_CONFIDENCE = "none"  # the confidence level of a question that got no answer
FORMAT = 1  # the version of the JSON written by Evaluation.to_dict


class Tally(NamedTuple):
    right: int
    counted: int

    @property
    def accuracy(self) -> float | None:
        return self.right / self.counted if self.counted else None


@dataclass(frozen=True)
class ExampleResult:
    """One knowledge-base example asked with itself held out, and how its answer compared with its own SQL.

    ``expected`` and ``got``: the first rows that differ (the example's rows the answer lacks, the answer's
    rows the example lacks), as text, under ``expected_columns`` and ``got_columns``.
    """

    question: str
    example_sql: str
    outcome: str  # one of OUTCOMES
    path: str | None = None  # the example's file
    sql: str | None = None  # the SQL the engine generated
    reason: str = ""  # why not right, or why not counted; "" when right
    confidence: str | None = None  # high | medium | low of the answer; None when it got none
    confidence_reasons: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()  # the tables the example's SQL reads
    expected_columns: tuple[str, ...] = ()
    expected: tuple[tuple[str, ...], ...] = ()
    got_columns: tuple[str, ...] = ()
    got: tuple[tuple[str, ...], ...] = ()
    seconds: float = 0.0

    @property
    def counted(self) -> bool:
        return self.outcome in (RIGHT, WRONG, FAILED)

    @property
    def right(self) -> bool:
        return self.outcome == RIGHT

    @property
    def key(self) -> str:
        """What identifies the example across runs and machines: its question, normalised."""
        from ..knowledge.base import question_key

        return question_key(self.question)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ExampleResult":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("confidence_reasons", "tables", "expected_columns", "got_columns"):
            values[name] = tuple(values.get(name) or ())
        for name in ("expected", "got"):
            values[name] = tuple(tuple(row) for row in values.get(name) or ())
        return cls(**values)


@dataclass(frozen=True)
class EvaluationProgress:
    """After each example: how many are done out of ``total``, and the one just measured."""

    done: int
    total: int
    result: ExampleResult
    elapsed: float


@dataclass(frozen=True)
class Change:
    """An example whose outcome changed between two runs."""

    question: str
    path: str | None
    before: str
    after: str


@dataclass(frozen=True)
class Comparison:
    """What changed since an earlier run: examples now right that were not, and the reverse."""

    previous_accuracy: float | None
    accuracy: float | None
    better: tuple[Change, ...]
    worse: tuple[Change, ...]
    new: tuple[str, ...]  # examples the earlier run did not have
    gone: tuple[str, ...]  # examples of the earlier run no longer evaluated

    def text(self) -> str:
        def pct(value: float | None) -> str:
            return "-" if value is None else f"{value:.0%}"

        lines = [f"compared with the earlier run: accuracy {pct(self.previous_accuracy)} -> {pct(self.accuracy)}, "
                 f"{len(self.better)} better, {len(self.worse)} worse"]
        lines += [f"  better: {c.question} ({c.before} -> {c.after})" for c in self.better]
        lines += [f"  worse:  {c.question} ({c.before} -> {c.after})" for c in self.worse]
        if self.new:
            lines.append(f"  {len(self.new)} examples new since then")
        if self.gone:
            lines.append(f"  {len(self.gone)} examples of the earlier run not evaluated now")
        return "\n".join(lines)


@dataclass
class Evaluation:
    """Every example evaluated, in order; ``total``: how many were selected (more than evaluated when stopped)."""

    results: list[ExampleResult]
    total: int
    connection: str | None = None  # password hidden
    dialect: str | None = None
    model: str | None = None
    knowledge_base: tuple[str, ...] = ()  # its folders
    stopped: str | None = None  # why the run ended early (an interrupt, the database gone); None: it finished
    seconds: float = 0.0
    comparison: Comparison | None = field(default=None, compare=False)

    @property
    def counted(self) -> list[ExampleResult]:
        return [r for r in self.results if r.counted]

    @property
    def tally(self) -> Tally:
        counted = self.counted
        return Tally(sum(r.right for r in counted), len(counted))

    @property
    def accuracy(self) -> float | None:
        """Share of the counted examples answered right; None when none was counted."""
        return self.tally.accuracy

    @property
    def failures(self) -> list[ExampleResult]:
        """Counted examples not answered right."""
        return [r for r in self.counted if not r.right]

    @property
    def not_counted(self) -> list[ExampleResult]:
        """Examples whose own SQL fails or is rejected by the firewall."""
        return [r for r in self.results if not r.counted]

    def by_table(self) -> dict[str, Tally]:
        """Right and counted examples per table the example's SQL reads (an example counts for each)."""
        return _tally((table.lower(), r) for r in self.counted for table in r.tables)

    def by_confidence(self) -> dict[str, Tally]:
        """Right and counted examples per confidence level of the answer (``none``: no answer)."""
        return _tally((r.confidence or NO_CONFIDENCE, r) for r in self.counted)

    def compare(self, previous: "Evaluation") -> Comparison:
        """What changed since ``previous`` (examples matched by question); also kept on this run."""
        before = {r.key: r for r in previous.results if r.counted}
        now = {r.key: r for r in self.results if r.counted}
        better = tuple(Change(r.question, r.path, before[k].outcome, r.outcome) for k, r in now.items()
                       if k in before and r.right and not before[k].right)
        worse = tuple(Change(r.question, r.path, before[k].outcome, r.outcome) for k, r in now.items()
                      if k in before and before[k].right and not r.right)
        self.comparison = Comparison(previous.accuracy, self.accuracy, better, worse,
                                     tuple(r.question for k, r in now.items() if k not in before),
                                     tuple(r.question for k, r in before.items() if k not in now))
        return self.comparison

    def to_dict(self) -> dict[str, Any]:
        tally = self.tally
        return {
            "format": FORMAT, "accuracy": self.accuracy, "right": tally.right, "counted": tally.counted,
            "total": self.total, "connection": self.connection, "dialect": self.dialect, "model": self.model,
            "knowledge_base": list(self.knowledge_base), "stopped": self.stopped, "seconds": round(self.seconds, 3),
            "by_table": {k: t._asdict() for k, t in self.by_table().items()},
            "by_confidence": {k: t._asdict() for k, t in self.by_confidence().items()},
            "comparison": asdict(self.comparison) if self.comparison is not None else None,
            "results": [asdict(r) for r in self.results],
        }

    @classmethod
    def from_dict(cls, data: Any) -> "Evaluation":
        if not isinstance(data, dict) or not isinstance(data.get("results"), list) or data.get("format") != FORMAT:
            raise ValueError("not an evaluation written by vanna-magic eval --json")
        return cls([ExampleResult.from_dict(r) for r in data["results"]], int(data.get("total") or 0),
                   data.get("connection"), data.get("dialect"), data.get("model"),
                   tuple(data.get("knowledge_base") or ()), data.get("stopped"), float(data.get("seconds") or 0))

    def write_json(self, path: str | os.PathLike) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1, ensure_ascii=False, default=str) + "\n",
                        encoding="utf-8")
        return path

    def write_junit(self, path: str | os.PathLike) -> Path:
        """Write this evaluation as JUnit XML (:mod:`.junit`), for CI systems that show test results."""
        from .junit import junit_xml

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(junit_xml(self), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Evaluation":
        """An evaluation written by :meth:`write_json`.

        Raises:
            ConfigurationError: the file is missing, not JSON, or not an evaluation.
        """
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise ConfigurationError(f"there is no earlier evaluation at {path}", setting="compare") from None
        except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as exc:
            reason = "not JSON" if isinstance(exc, json.JSONDecodeError) else str(exc).splitlines()[0]
            raise ConfigurationError(f"{path} cannot be read as an evaluation: {reason}", setting="compare") from exc

    def text(self) -> str:
        from ..display.evaluation import as_text

        return as_text(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from ..display.evaluation import as_html, as_text

        return {"text/plain": as_text(self), "text/html": as_html(self)}, {}


def _tally(pairs: Iterable[tuple[str, ExampleResult]]) -> dict[str, Tally]:
    counts: dict[str, list[int]] = {}
    for name, result in pairs:
        count = counts.setdefault(name, [0, 0])
        count[0] += result.right
        count[1] += 1
    return {name: Tally(right, counted) for name, (right, counted) in sorted(counts.items())}
