"""``%vanna panel`` in a real JupyterLab and the system's Chromium (``panel.js``, playwright-core).

Also opens ``%vanna setup`` in the same notebook. The screenshots go to
``tests/browser/artifacts/panel/``. Fails, never skips, when Chromium, node or playwright-core
is missing: ``make setup-test`` provides all three.
"""

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.browser.test_sidebar import ARTIFACTS, CHROMIUM, NODE_MODULES, NOTEBOOK, lab  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
SCREENSHOTS = ARTIFACTS / "panel"


def _put_notebook(server: dict, name: str, source: str) -> None:
    notebook = {**NOTEBOOK, "cells": [{**NOTEBOOK["cells"][0], "source": source}]}
    request = urllib.request.Request(f"{server['url']}/api/contents/{name}?token={server['token']}", method="PUT",
                                     data=json.dumps({"type": "notebook", "content": notebook}).encode(),
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).close()


def test_panel_runs_sql_and_shows_the_demo_rows_and_the_mode_and_setup_reports_errors(lab):  # noqa: F811
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium"
    node = shutil.which("node")
    assert node, "node is missing: install Node.js 20"
    assert (NODE_MODULES / "playwright-core").is_dir(), "run `jlpm install` in labextension/ (make setup-test does)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    _put_notebook(lab, "panel.ipynb", "%load_ext vanna_magic\n%vanna panel")
    env = {**lab["env"], "LAB_URL": lab["url"], "LAB_TOKEN": lab["token"], "NOTEBOOK": "panel.ipynb",
           "ARTIFACTS": str(SCREENSHOTS), "CHROMIUM": CHROMIUM, "NODE_PATH": str(NODE_MODULES)}
    run = subprocess.run([node, str(Path(__file__).parent / "panel.js")], env=env, capture_output=True,
                         text=True, timeout=180)
    report = f"{run.stdout}\n{run.stderr}\n--- jupyter lab log ---\n{lab['log'].read_text()[-3000:]}"
    assert run.returncode == 0, report
    for check in ("the status badge shows the mode: LIMITED_AI", "the grid has the columns",
                  "the first page of the demo customers: 500 rows", "page 1 of 2 · 1000 rows",
                  "Run is enabled again", "Next shows the second page: first customer 501",
                  "the setup form shows why a connection fails: [connect]"):
        assert check in run.stdout, report
    assert "nothing in the empty panel scrolls sideways" in run.stdout, report
    assert sorted(p.name for p in SCREENSHOTS.glob("*.png")) == ["empty-panel.png", "panel.png", "setup.png"]
