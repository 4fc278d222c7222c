"""``%vanna status``."""

from __future__ import annotations

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
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle):
        p.text(self.text())


@command("status", "mode, connection, model and knowledge base, checked now")
def status(magic, args) -> Status:
    return Status(magic._session().status())
