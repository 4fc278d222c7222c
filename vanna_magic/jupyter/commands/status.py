"""``%vanna status``."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ...core.status import clock_text
from . import command

if TYPE_CHECKING:
    from ...core.status import Status


class StatusReport:
    """:class:`~vanna_magic.core.status.Status` as a short report (text in a terminal, a table in a notebook)."""

    def __init__(self, status: "Status"):
        self.status = status

    def text(self) -> str:
        status, kb = self.status, self.status.knowledge_base
        lines = [
            f"mode:           {status.mode}",
            f"connection:     {status.connection}{' (embedded demo)' if status.demo else ''}",
            f"database:       {status.database}"
            + (f" ({status.dialect}, {status.tables} tables)" if status.database == "ok"
               else f": {status.database_error}"),
            *([f"role:           warning: {status.role_warning}"] if status.role_warning else []),
            f"model:          {status.model or 'none configured (answers come only from the knowledge base)'}",
            f"replay file:    {status.replay_file or 'none'}",
            f"knowledge base: {kb.examples} examples, {kb.definitions} definitions, "
            f"{kb.documents} documents from {', '.join(kb.roots) or 'nowhere'}",
        ]
        lines += [f"  problem: {p}" for p in kb.problems]
        return "\n".join(_aligned(lines + self.health_lines()))

    def health_lines(self) -> list[str]:
        status, store, metrics = self.status, self.status.store, self.status.metrics
        last = metrics.last_24h
        lines = [f"health:         {status.health_score}/100 ({status.mode_reason})"]
        if status.unavailable:
            lines.append(f"unavailable:    {', '.join(status.unavailable)}")
        if status.next_step:
            lines.append(f"next step:      {status.next_step}")
        for name, b in status.breakers.items():
            detail = ""
            if b.state != "CLOSED":
                detail = f" since {clock_text(b.opened_at or 0)}, retry at {clock_text(b.retry_at or 0)}" \
                    if b.state == "OPEN" else " (trying again)"
                detail += f": {b.last_error}"
            lines.append(f"breaker {name}: {b.state}{detail}")
        lines.append(f"history:        {store.path}" + ("" if store.kept else f" (NOT being kept: {store.problem})"))
        lines.append(f"this kernel:    {metrics.requests} requests ({metrics.errors} errors) since it started")
        lines += [f"  error: {error}" for error in metrics.last_errors]
        lines.append("all kernels:    " + (f"last 24 h: {last.attempts} attempts, error rate {last.error_rate:.1%} "
                                           "(every kernel sharing the history)" if last.problem is None
                                           else f"not known: {last.problem}"))
        if metrics.latency:
            lines.append("latency:        " + ", ".join(
                f"{stage} p50 {v.p50_ms:g} / p95 {v.p95_ms:g} ms" for stage, v in metrics.latency.items()))
        lines.append(f"tokens, cost:   {metrics.tokens} tokens, ${metrics.cost:.4f}")
        lines.append(f"process:        {metrics.memory_mb} MB, up {metrics.uptime_s} s")
        return lines

    def _repr_html_(self) -> str:
        colour = {"FULL_OPERATIONAL": "#2e7d32", "LIMITED_AI": "#ef6c00", "READ_ONLY": "#ef6c00"}.get(
            self.status.mode, "#c62828")
        rows = "".join(f"<tr><th style='text-align:left'>{escape(k.strip())}</th><td style='text-align:left'>"
                       f"{escape(v.strip())}</td></tr>"
                       for k, _, v in (line.partition(":") for line in self.text().splitlines()[1:]))
        # an indented line ("  error: ...") is a row of its own, labelled by its own first word
        return (f"<div class='vanna-status'><p><b style='color:{colour}'>{escape(str(self.status.mode))}</b>"
                f" &middot; health {self.status.health_score}/100</p><table>{rows}</table></div>")

    def _repr_pretty_(self, p, cycle):
        p.text(self.text())


def _aligned(lines: list[str]) -> list[str]:
    """Pad every ``label: value`` line so the values start in one column (indented lines are left alone)."""
    pairs = [line.partition(":") for line in lines]
    width = max(len(label) for label, _, _ in pairs if not label.startswith(" ")) + 2
    return [line if line.startswith(" ") else f"{label}:".ljust(width) + value.strip()
            for line, (label, _, value) in zip(lines, pairs)]


@command("status", "mode, connection, model and knowledge base, checked now")
def status(session, args) -> StatusReport:
    return StatusReport(session.status())
