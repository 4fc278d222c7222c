"""A shared notebook says how each answer was produced: provenance in the output's display metadata.

The cells run in a real Jupyter kernel (nbclient), as they do for anyone opening the notebook.
"""

from __future__ import annotations

import hashlib
import json

import nbformat
from nbclient import NotebookClient

from tests.fakes import FakeModel
from vanna_magic import Session
from vanna_magic.core.answer import PROVENANCE_KEY
from vanna_magic.core.config import load_settings
from vanna_magic.core.generate.replay import ReplayModel

QUESTION = "Which 5 customers placed the most orders?"
SQL = ("SELECT c.name, COUNT(*) AS orders FROM customers c JOIN orders o ON o.customer_id = c.customer_id "
       "GROUP BY c.customer_id ORDER BY orders DESC LIMIT 5")


def _run(tmp_path, *sources: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return notebook


def test_ask_output_carries_its_provenance(tmp_path, cache_dir):
    replay = tmp_path / "answers.jsonl"
    recorder = FakeModel([f"```sql\n{SQL}\n```"], name="fake/recorder")
    settings = load_settings(environ={}, start=None).replace(cache_dir=str(cache_dir))
    Session(settings=settings, model=ReplayModel(replay, model_name="fake/recorder", inner=recorder,
                                                 mode="record")).ask(QUESTION)

    notebook = _run(tmp_path, f"%load_ext vanna_magic\n%config VannaMagic.replay_file = {str(replay)!r}",
                    f"%%ask\n{QUESTION}")
    outputs = notebook.cells[1].outputs
    results = [o for o in outputs if o.output_type == "execute_result"]
    assert len(results) == 1
    provenance = results[0].metadata["text/html"][PROVENANCE_KEY]
    assert provenance["model"] == "fake/recorder" and provenance["replayed"] is True
    assert provenance["sql"] == SQL  # as generated
    assert provenance["executed_sql"].startswith("SELECT c.name, COUNT(*) AS orders FROM customers AS c")  # as run
    assert provenance["examples"] and all(e["question"] and e["path"] for e in provenance["examples"])
    canonical = json.dumps(recorder.calls[0], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert provenance["prompt_hash"] == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert "api_key" not in json.dumps(provenance)
    # The progress display was replaced by an empty output once the answer came.
    progress = [o for o in outputs if o.output_type == "display_data"]
    assert progress and all(o.data.get("text/plain", "") == "" for o in progress)
