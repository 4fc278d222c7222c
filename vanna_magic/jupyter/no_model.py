"""What a question without a model shows: the next step in one sentence, and the questions the knowledge base
answers, each a button that inserts it as a new ``%%ask`` cell in JupyterLab (the sidebar's extension does the
insertion) and plain text everywhere else."""

from __future__ import annotations

from html import escape
from typing import Any

from IPython.core.error import UsageError

NEXT_STEP = "No model is configured: run `%vanna setup`, or pick one of the questions the knowledge base answers:"
NO_SUGGESTION = ("No model is configured: run `%vanna setup` (`%vanna help model` lists the other ways "
                 "to configure one).")
INSERT_CLASS = "vanna-insert-cell"  # the labextension inserts the data-cell of a button with this class


def ask_cell(question: str) -> str:
    """The source of the cell a suggestion inserts."""
    return f"%%ask\n{question}"


class NoModel:
    """The next step and the closest questions, for a notebook output."""

    def __init__(self, suggestions: list[str]):
        self.suggestions = list(suggestions)

    @property
    def sentence(self) -> str:
        return NEXT_STEP if self.suggestions else NO_SUGGESTION

    def text(self) -> str:
        return "\n".join([self.sentence, *(f"  %%ask {q}" for q in self.suggestions)])

    def html(self) -> str:
        items = "".join(
            f"<li><button class='{INSERT_CLASS}' data-cell='{escape(ask_cell(q), quote=True)}' "
            f"title='Insert as a new cell below'><code>%%ask</code> {escape(q)}</button></li>"
            for q in self.suggestions)
        sentence = escape(self.sentence).replace("`%vanna setup`", "<code>%vanna setup</code>")
        sentence = sentence.replace("`%vanna help model`", "<code>%vanna help model</code>")
        listing = f"<ul style='list-style:none;padding-left:0;margin:4px 0'>{items}</ul>" if items else ""
        return f"<div class='vanna-no-model'><p style='margin:0'>{sentence}</p>{listing}</div>"

    def _repr_mimebundle_(self, **kwargs):
        return {"text/plain": self.text(), "text/html": self.html()}


class Unanswered(UsageError):
    """The cell fails (Run All stops there), with one short line under the output that said why and what next."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def show_no_model(shell: Any, suggestions: list[str]) -> None:
    """Display the next step and the closest questions in ``shell``, then fail the cell quietly."""
    shell.display_pub.publish(data=NoModel(suggestions)._repr_mimebundle_(), metadata={})
    raise Unanswered("The question was not answered.") from None
