"""How an :class:`~vanna_magic.core.answer.Answer` looks: HTML for notebooks, text for terminals.

The functions read an answer's attributes; this module imports nothing of the engine, so the
answer can render itself without an import circle.
"""

from __future__ import annotations

import html
from typing import Any

from .confidence import confidence_badge, confidence_line
from .numbers import float_formatters

PAGE_ROWS = 500  # rows of one page of an answer (``%vanna page N``)

_SQL_STYLE = "padding:6px 8px;border-left:3px solid #4a90d9;background:rgba(127,127,127,0.08);white-space:pre-wrap"
_STAGE_ORDER = ("retrieve", "prompt", "generate", "firewall", "execute")


def highlight_sql(sql: str) -> str:
    """SQL as HTML with inline colours, so it survives being shared without a stylesheet."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import SqlLexer

    return highlight(sql, SqlLexer(), HtmlFormatter(noclasses=True, nowrap=True, style="default"))


def pretty_sql(sql: str, dialect: str | None = None) -> str:
    """``sql`` laid out one clause a line (sqlglot's pretty printer), or as written when it does not parse.

    >>> print(pretty_sql("SELECT a, b FROM t WHERE a > 1"))
    SELECT
      a,
      b
    FROM t
    WHERE
      a > 1
    """
    import sqlglot
    from sqlglot.errors import SqlglotError

    try:
        statements = sqlglot.parse(sql, read=dialect or None)
        return ";\n".join(s.sql(dialect=dialect or None, pretty=True) for s in statements if s is not None) or sql
    except (SqlglotError, ValueError):
        return sql


def _rows_line(answer: Any) -> str:
    if answer.frame is None:
        return "not run" if answer.status == "not_run" else "no result"
    n = answer.row_count
    shown = min(n, answer.preview_rows)
    line = f"{n} row{'s' if n != 1 else ''}"
    if shown < n:
        line += f" (showing the first {shown})"
    if answer.capped:
        line += f"; capped at {answer.max_rows} rows by the firewall: more rows may exist (raise --limit)"
    return line


def truncation_notice(answer: Any) -> str | None:
    """How to see the rows the preview leaves out (the row cap is in :func:`_rows_line`)."""
    if answer.frame is None:
        return None
    n = answer.row_count
    notes = []
    if n > answer.preview_rows:
        pages = -(-n // PAGE_ROWS)
        notes.append(f"the preview shows {answer.preview_rows} of {n} rows: all of them are in answer.df "
                     f"(-o VAR), {PAGE_ROWS} a page with %vanna page N ({pages} page{'s' if pages > 1 else ''}), "
                     "without running the query again")
    return "; ".join(notes) or None


def columns_line(answer: Any) -> str | None:
    """``columns: region text · revenue decimal``, or None without rows."""
    from .columns import type_label

    frame = answer.frame
    if frame is None or frame.shape[1] == 0:
        return None
    return "columns: " + " · ".join(f"{name} {type_label(frame.iloc[:, i])}" for i, name in enumerate(frame.columns))


def _timings_line(answer: Any) -> str:
    names = [s for s in _STAGE_ORDER if s in answer.timings] + [s for s in answer.timings if s not in _STAGE_ORDER]
    parts = [f"{name} {answer.timings[name] * 1000:.0f} ms" for name in names]
    return " · ".join(parts) + f" · total {answer.total_seconds * 1000:.0f} ms"


def _source_line(answer: Any) -> str:
    if answer.source == "knowledge_base":
        return "answered from the knowledge base (no model configured)"
    if answer.source == "user":
        return "SQL written by hand"
    model = answer.model or "model"
    replay = " (replayed)" if answer.replayed else ""
    tokens = f", {answer.prompt_tokens}+{answer.completion_tokens} tokens" if answer.prompt_tokens else ""
    cost = f", ${answer.cost:.4f}" if answer.cost else ""
    return f"{model}{replay}{tokens}{cost}"


def follow_up_line(answer: Any) -> str | None:
    """``follow-up of: "Which 5 customers..."`` when the question built on earlier ones."""
    if not answer.follows_up:
        return None
    earlier = " → ".join(f"“{q}”" for q in answer.follows_up)
    return f"follow-up: built on the previous question{'s' if len(answer.follows_up) > 1 else ''} {earlier} " \
           "(ask with --new to start afresh)"


def as_text(answer: Any) -> str:
    lines = []
    if answer.question:
        lines.append(f"Q: {answer.question}")
    if follow_up_line(answer):
        lines.append(follow_up_line(answer))
    if answer.sql:
        lines += ["", answer.sql, ""]
    if answer.executed_sql and answer.executed_sql != answer.sql:
        lines += ["as executed (after the firewall):", pretty_sql(answer.executed_sql, answer.dialect), ""]
    if answer.frame is not None:
        preview = answer.frame.head(answer.preview_rows)
        lines.append(preview.to_string(index=False, max_colwidth=40, formatters=float_formatters(preview)))
    lines.append(_rows_line(answer))
    lines += [line for line in (confidence_line(answer), columns_line(answer), truncation_notice(answer)) if line]
    for note in answer.notes:
        lines.append(f"note: {note}")
    if answer.repairs:
        lines.append(f"repaired {answer.repairs} time(s): " + "; ".join(a.error or "" for a in answer.attempts[:-1]))
    if answer.timings:
        lines.append(_timings_line(answer))
    lines.append(f"source: {_source_line(answer)}")
    return "\n".join(lines)


def _list(items: list[str]) -> str:
    return "".join(f"<li>{item}</li>" for item in items) or "<li><i>none</i></li>"


def as_html(answer: Any) -> str:
    esc = html.escape
    parts = ['<div class="vanna-answer" style="font-family: var(--jp-ui-font-family, sans-serif)">']
    if answer.question:
        parts.append(f"<div style='font-weight:600;margin-bottom:4px'>{esc(answer.question)}</div>")
    if follow_up_line(answer):
        parts.append(f"<div style='color:#4a6da7;font-size:90%;margin-bottom:4px' class='vanna-follow-up'>"
                     f"{esc(follow_up_line(answer))}</div>")
    if answer.sql:
        parts.append(f"<pre style='{_SQL_STYLE}'>{highlight_sql(answer.sql)}</pre>")
    if answer.frame is not None:
        preview = answer.frame.head(answer.preview_rows)
        parts.append(preview.to_html(index=False, border=0, max_rows=answer.preview_rows,
                                     formatters=float_formatters(preview)))
    parts.append(f"<div style='color:#666;margin:4px 0'>{esc(_rows_line(answer))}</div>")
    parts.append(confidence_badge(answer))
    if columns_line(answer):
        parts.append(f"<div style='color:#666;font-size:90%'>{esc(columns_line(answer))}</div>")
    if truncation_notice(answer):
        parts.append(f"<div style='color:#8a6d00' class='vanna-truncated'>{esc(truncation_notice(answer))}</div>")
    for note in answer.notes:
        parts.append(f"<div style='color:#8a6d00'>{esc(note)}</div>")
    if answer.repairs:
        failed = [f"{esc(a.stage or '')}: {esc(a.error or '')}" for a in answer.attempts[:-1]]
        parts.append(f"<div style='color:#8a6d00'>repaired {answer.repairs} time(s)<ul>{_list(failed)}</ul></div>")
    if answer.timings:
        parts.append(f"<div style='color:#666;font-size:90%'>{esc(_timings_line(answer))}</div>")
    if answer.executed_sql and answer.executed_sql != answer.sql:
        executed = highlight_sql(pretty_sql(answer.executed_sql, answer.dialect))
        parts.append("<details style='font-size:90%;color:#444'><summary>as executed (after the firewall)</summary>"
                     f"<pre style='{_SQL_STYLE}'>{executed}</pre></details>")
    r = answer.retrieved
    examples = [f"{esc(s.example.question)} <span style='color:#888' title='how close the stored question is to "
                f"this one, from 0 to 1'>(similarity {s.score:.2f})</span>" for s in r.examples]
    tables = [esc(t.name) for t in r.tables]
    definitions = [f"{esc(d.kind)} <b>{esc(d.name)}</b>" for d in r.definitions]
    parts.append(
        "<details style='font-size:90%;color:#444'><summary>built from: "
        f"{len(r.examples)} examples, {len(r.tables)} tables, {len(r.definitions)} definitions · "
        f"{esc(_source_line(answer))}</summary>"
        f"<b>examples</b><ul>{_list(examples)}</ul>"
        f"<b>tables</b><ul>{_list(tables)}</ul>"
        f"<b>definitions</b><ul>{_list(definitions)}</ul>"
        + (f"<div style='color:#888' title='identifies the prompt in replay files and the history'>"
           f"for maintainers: prompt id {esc(answer.prompt_hash[:12])}"
           f"{' (trimmed to the token budget)' if answer.prompt_truncated else ''}</div>" if answer.prompt_hash else "")
        + "</details>")
    parts.append("</div>")
    return "".join(parts)
