"""``%vanna panel`` and ``%vanna setup``: the ipywidgets front ends."""

from __future__ import annotations

from . import command


@command("panel", "an ipywidgets panel: ask, edit and run the SQL, page through the rows, chart, export, history",
         notebook=True)
def panel(session, args, notebook):
    from ..panel import Panel

    return Panel(notebook.session, on_answer=lambda answer: setattr(notebook, "last", answer))


@command("setup", "a form to configure the connection, the model and its API key, test them, and save them",
         notebook=True)
def setup(session, args, notebook):
    from ..setup_form import SetupForm

    return SetupForm(notebook.session)
