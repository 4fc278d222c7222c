"""``%vanna status``."""

from __future__ import annotations

from html import escape

from ...core.ops.health import clock_text
from . import command


class Status(dict):
    """What is connected and configured: a dict that prints as a short report."""

    def text(self) -> str:
        kb = self.get("knowledge_base", {})
        lines = [
            f"mode:           {self.get('mode')}",
            f"connection:     {self.get('connection')}{' (embedded demo)' if self.get('demo') else ''}",
            f"database:       {self.get('database')}"
            + (f" ({self.get('dialect')}, {self.get('tables')} tables)" if self.get("database") == "ok"
               else f": {self.get('database_error')}"),
            f"model:          {self.get('model') or 'none configured (answers come only from the knowledge base)'}",
            f"replay file:    {self.get('replay_file') or 'none'}",
            f"knowledge base: {kb.get('examples', 0)} examples, {kb.get('definitions', 0)} definitions, "
            f"{kb.get('documents', 0)} documents from {', '.join(kb.get('roots', [])) or 'nowhere'}",
        ]
        lines += [f"  problem: {p}" for p in kb.get("problems", [])]
        return "\n".join(_aligned(lines + self.health_lines()))

    def health_lines(self) -> list[str]:
        if "health_score" not in self:
            return []
        store, metrics = self.get("store", {}), self.get("metrics", {})
        last = metrics.get("last_24h", {})
        lines = [f"health:         {self['health_score']}/100 ({self.get('mode_reason')})"]
        if self.get("unavailable"):
            lines.append(f"unavailable:    {', '.join(self['unavailable'])}")
        if self.get("next_step"):
            lines.append(f"next step:      {self['next_step']}")
        for name, b in self.get("breakers", {}).items():
            detail = ""
            if b["state"] != "CLOSED":
                detail = f" since {clock_text(b['opened_at'] or 0)}, retry at {clock_text(b['retry_at'] or 0)}" \
                    if b["state"] == "OPEN" else " (trying again)"
                detail += f": {b['last_error']}"
            lines.append(f"breaker {name}: {b['state']}{detail}")
        lines.append(f"history:        {store.get('path')}" + ("" if store.get("kept") else
                     f" (NOT being kept: {store.get('problem')})"))
        lines.append(f"requests:       {metrics.get('requests', 0)} ({metrics.get('errors', 0)} errors) since start; "
                     f"last 24 h: {last.get('attempts', 0)} attempts, error rate {last.get('error_rate', 0):.1%}")
        latency = metrics.get("latency", {})
        if latency:
            lines.append("latency:        " + ", ".join(
                f"{stage} p50 {v['p50_ms']:g} / p95 {v['p95_ms']:g} ms" for stage, v in latency.items()))
        lines.append(f"tokens, cost:   {metrics.get('tokens', 0)} tokens, ${metrics.get('cost', 0):.4f}")
        lines.append(f"process:        {metrics.get('memory_mb')} MB, up {metrics.get('uptime_s')} s")
        return lines

    def _repr_html_(self) -> str:
        colour = {"FULL_OPERATIONAL": "#2e7d32", "LIMITED_AI": "#ef6c00", "READ_ONLY": "#ef6c00"}.get(
            self.get("mode"), "#c62828")
        rows = "".join(f"<tr><th style='text-align:left'>{escape(k.strip())}</th><td style='text-align:left'>"
                       f"{escape(v.strip())}</td></tr>"
                       for k, _, v in (line.partition(":") for line in self.text().splitlines()[1:]))
        return (f"<div class='vanna-status'><p><b style='color:{colour}'>{escape(str(self.get('mode')))}</b>"
                f" &middot; health {self.get('health_score', '?')}/100</p><table>{rows}</table></div>")

    def _repr_pretty_(self, p, cycle):
        p.text(self.text())


def _aligned(lines: list[str]) -> list[str]:
    """Pad every ``label: value`` line so the values start in one column (indented lines are left alone)."""
    pairs = [line.partition(":") for line in lines]
    width = max(len(label) for label, _, _ in pairs if not label.startswith(" ")) + 2
    return [line if line.startswith(" ") else f"{label}:".ljust(width) + value.strip()
            for line, (label, _, value) in zip(lines, pairs)]


@command("status", "mode, connection, model and knowledge base, checked now")
def status(magic, args) -> Status:
    return Status(magic._session().status())
