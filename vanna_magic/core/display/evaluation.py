"""How an :class:`~vanna_magic.core.evaluate.report.Evaluation` looks: text for terminals, HTML for notebooks
(a table per breakdown, each failure folded in a ``<details>``). Reads the evaluation's attributes only."""

from __future__ import annotations

import html
from typing import Any

_LEVELS = ("high", "medium", "low", "none")
_TABLE = "border-collapse:collapse;margin:4px 0"
_CELL = "padding:2px 8px;text-align:left;border-bottom:1px solid rgba(127,127,127,0.3)"
_CODE = "white-space:pre-wrap;margin:2px 0;padding:4px 6px;background:rgba(127,127,127,0.08)"


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def headline(evaluation: Any) -> str:
    """``accuracy 83% (30 of 36 examples right)``, with what was not counted and why the run stopped."""
    right, counted = evaluation.tally
    line = f"accuracy {pct(evaluation.accuracy)} ({right} of {counted} examples right"
    skipped = len(evaluation.not_counted)
    if skipped:
        line += f"; {skipped} not counted: their own SQL fails or is rejected"
    line += ")"
    if evaluation.stopped:
        line += f"; {evaluation.stopped}"
    return line


def _breakdowns(evaluation: Any) -> list[tuple[str, list[tuple[str, Any]]]]:
    levels = evaluation.by_confidence()
    ordered = [(level, levels[level]) for level in _LEVELS if level in levels]
    ordered += [(level, tally) for level, tally in levels.items() if level not in _LEVELS]
    return [("table", list(evaluation.by_table().items())), ("confidence", ordered)]


def as_text(evaluation: Any) -> str:
    lines = [headline(evaluation)]
    about = [f"{name} {value}" for name, value in (("connection", evaluation.connection),
                                                   ("model", evaluation.model)) if value]
    if about:
        lines.append("; ".join(about) + f"; {evaluation.seconds:.1f} s")
    for name, rows in _breakdowns(evaluation):
        if not rows:
            continue
        width = max(len(name), *(len(key) for key, _ in rows))
        lines += ["", f"{name:<{width}}  accuracy  right / counted"]
        lines += [f"{key:<{width}}  {pct(tally.accuracy):>8}  {tally.right:>5} / {tally.counted}"
                  for key, tally in rows]
    for number, result in enumerate(evaluation.failures, start=1):
        lines += ["", f"{number}. {result.outcome.upper()}: {result.question}", f"   why: {result.reason}"]
        if result.confidence:
            lines.append(f"   confidence: {result.confidence}" + (
                f" ({'; '.join(result.confidence_reasons)})" if result.confidence_reasons else ""))
        lines.append(f"   example ({result.path or 'no file'}):")
        lines += [f"     {line}" for line in result.example_sql.splitlines()]
        lines.append("   generated:" if result.sql else "   generated: no SQL")
        lines += [f"     {line}" for line in (result.sql or "").splitlines()]
        if result.expected or result.got:
            lines.append(f"   expected rows ({', '.join(result.expected_columns)}): "
                         + ("; ".join(" | ".join(row) for row in result.expected) or "none missing"))
            lines.append(f"   got rows ({', '.join(result.got_columns)}): "
                         + ("; ".join(" | ".join(row) for row in result.got) or "none extra"))
    if evaluation.not_counted:
        lines += ["", "not counted:"]
        lines += [f"  {result.question} ({result.path or 'no file'}): {result.reason}"
                  for result in evaluation.not_counted]
    if evaluation.comparison is not None:
        lines += ["", evaluation.comparison.text()]
    return "\n".join(lines)


def _e(value: object) -> str:
    return html.escape(str(value))


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th style='{_CELL}'>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='{_CELL}'>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table style='{_TABLE}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _rows_table(columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> str:
    if not rows:
        return "<i>none</i>"
    return _table(list(columns) or [""] * len(rows[0]), [[_e(v) for v in row] for row in rows])


def _failure(result: Any) -> str:
    parts = [f"<p><b>why:</b> {_e(result.reason)}</p>"]
    if result.confidence:
        reasons = "; ".join(result.confidence_reasons)
        parts.append(f"<p><b>confidence:</b> {_e(result.confidence)}{' (' + _e(reasons) + ')' if reasons else ''}</p>")
    parts.append(f"<p><b>example</b> ({_e(result.path or 'no file')}):</p><pre style='{_CODE}'>"
                 f"{_e(result.example_sql)}</pre>")
    parts.append(f"<p><b>generated:</b></p><pre style='{_CODE}'>{_e(result.sql)}</pre>" if result.sql
                 else "<p><b>generated:</b> no SQL</p>")
    if result.expected or result.got:
        parts.append("<p><b>expected rows the answer lacks:</b></p>"
                     + _rows_table(result.expected_columns, result.expected))
        parts.append("<p><b>rows the answer has instead:</b></p>" + _rows_table(result.got_columns, result.got))
    summary = f"{_e(result.outcome)}: {_e(result.question)}"
    return f"<details><summary>{summary}</summary><div style='margin-left:1em'>{''.join(parts)}</div></details>"


def as_html(evaluation: Any) -> str:
    parts = [f"<div class='vanna-evaluation'><p><b>{_e(headline(evaluation))}</b></p>"]
    for name, rows in _breakdowns(evaluation):
        if rows:
            parts.append(_table([name, "accuracy", "right", "counted"],
                                [[_e(key), pct(t.accuracy), str(t.right), str(t.counted)] for key, t in rows]))
    failures = evaluation.failures
    if failures:
        parts.append(f"<p><b>{len(failures)} not right</b> (click one to see its SQL and rows):</p>")
        parts += [_failure(result) for result in failures]
    if evaluation.not_counted:
        parts.append("<p><b>not counted</b> (the example's own SQL):</p>")
        parts.append(_table(["question", "file", "why"], [[_e(r.question), _e(r.path or ""), _e(r.reason)]
                                                         for r in evaluation.not_counted]))
    if evaluation.comparison is not None:
        parts.append(f"<pre style='{_CODE}'>{_e(evaluation.comparison.text())}</pre>")
    parts.append("</div>")
    return "".join(parts)
