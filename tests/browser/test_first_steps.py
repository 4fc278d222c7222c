"""A newcomer's first cells in a real JupyterLab and the system's Chromium (``first_steps.js``, playwright-core).

Screenshots go to ``tests/browser/artifacts/first-steps/``. Fails, never skips, when Chromium, node or
playwright-core is missing: ``make setup-test`` provides all three.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.test_panel import _put_notebook
from tests.browser.test_sidebar import ARTIFACTS, CHROMIUM, NODE_MODULES, lab  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
SCREENSHOTS = ARTIFACTS / "first-steps"


def test_no_model_offers_questions_as_cells_magics_have_their_languages_and_sql_errors_a_next_step(lab):  # noqa: F811
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium"
    node = shutil.which("node")
    assert node, "node is missing: install Node.js 20"
    assert (NODE_MODULES / "playwright-core").is_dir(), "run `jlpm install` in labextension/ (make setup-test does)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    _put_notebook(lab, "first.ipynb", "")
    env = {**lab["env"], "LAB_URL": lab["url"], "LAB_TOKEN": lab["token"], "NOTEBOOK": "first.ipynb",
           "ARTIFACTS": str(SCREENSHOTS), "CHROMIUM": CHROMIUM, "NODE_PATH": str(NODE_MODULES)}
    run = subprocess.run([node, str(Path(__file__).parent / "first_steps.js")], env=env, capture_output=True,
                         text=True, timeout=180)
    report = f"{run.stdout}\n{run.stderr}\n--- jupyter lab log ---\n{lab['log'].read_text()[-3000:]}"
    assert run.returncode == 0, report
    for check in ("one sentence with the next step", "closest questions, no %config wall",
                  "one click inserts the question below", "is plain text, not Python", "a %%vsql body is SQL",
                  "gives the columns and the next step"):
        assert check in run.stdout, report
    assert sorted(p.name for p in SCREENSHOTS.glob("*.png")) == ["1-no-model.png",
                                                                  "2-editor-languages-and-vsql-error.png"]
