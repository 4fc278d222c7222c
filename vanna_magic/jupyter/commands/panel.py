"""``%vanna panel`` and ``%vanna setup``: the ipywidgets front ends."""

from __future__ import annotations

from . import command


@command("panel", "an ipywidgets panel: ask, edit and run the SQL, page through the rows, chart, export, history")
def panel(magic, args):
    from ..panel import Panel

    return Panel(magic._session, on_answer=lambda answer: setattr(magic, "last", answer))


@command("setup", "a form to configure the connection, the model and its API key, test them, and save them")
def setup(magic, args):
    from ..setup_form import SetupForm

    return SetupForm(lambda: magic._session().settings)
