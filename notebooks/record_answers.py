"""Record a notebook's replay file from answers written by hand, through the recording code, with no model.

Runs the notebook's code cells in order in an IPython shell (from the notebook's folder, as nbval does),
with a fake model that answers each question with the text given for it below, recorded by
:class:`~vanna_magic.core.generate.replay.ReplayModel` exactly as a real model's answer would be.
Usage: ``python notebooks/record_answers.py notebooks/dataframes.ipynb`` (the replay file is rewritten).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = "hand-written/notebook-answers"
ANSWERS = {
    "dataframes.ipynb": {
        "What was the revenue per regional manager?":
            "SELECT r.manager, SUM(s.amount) AS revenue\nFROM sales AS s\nJOIN regions AS r ON r.region = s.region\n"
            "GROUP BY r.manager\nORDER BY revenue DESC",
        "Which product sold the most units?":
            "SELECT product, SUM(units) AS units\nFROM sales\nWHERE product IS NOT NULL\nGROUP BY product\n"
            "ORDER BY units DESC\nLIMIT 1",
        "How many units were sold per manager?":
            "SELECT r.manager, SUM(s.units) AS units\nFROM sales_2024 AS s\nJOIN regions AS r ON r.region = s.region\n"
            "GROUP BY r.manager\nORDER BY r.manager",
    },
}


def main(notebook: Path) -> None:
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    sys.path.insert(0, str(ROOT))
    from tests.fakes import FakeModel
    from vanna_magic.core.generate.replay import ReplayModel, question_of

    answers = ANSWERS[notebook.name]
    replay = notebook.with_suffix(".replay.jsonl")
    replay.unlink(missing_ok=True)
    fake = FakeModel(lambda messages: f"```sql\n{answers[question_of(messages)]}\n```", name=MODEL)
    os.chdir(notebook.parent)
    shell = InteractiveShell.instance()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        result = shell.run_cell(cell.source)
        magic = shell.magics_manager.registry.get("VannaMagic")
        if magic is not None and magic.session._model_override is None:
            magic.session._model_override = ReplayModel(replay, model_name=MODEL, inner=fake, mode="record")
        result.raise_error()
    print(f"recorded {len(replay.read_text().splitlines())} answers in {replay}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
