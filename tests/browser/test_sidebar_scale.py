"""The sidebar's schema tree at 10,000 tables against 100, in a real JupyterLab (``sidebar_scale.js``).

The timings are printed with their ratio, not asserted; the checks are that the tree lists one page
of a big catalog, shows more on request, filters down to any table and opens a table's columns.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.browser.test_sidebar import CHROMIUM, NODE_MODULES, lab  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

SMALL, BIG = 100, 10_000


def _catalog(path: Path, tables: int) -> str:
    with sqlite3.connect(path) as conn:
        for n in range(tables):
            conn.execute(f"CREATE TABLE t_{n:05d} (id INTEGER PRIMARY KEY, c_01 TEXT, c_02 REAL, c_03 TEXT, "
                         "c_04 INTEGER, c_05 TEXT)")
    return f"sqlite:///{path}"


def test_the_schema_tree_stays_responsive_at_ten_thousand_tables(lab, tmp_path):  # noqa: F811
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium"
    node = shutil.which("node")
    assert node and (NODE_MODULES / "playwright-core").is_dir(), "make setup-test provides node and playwright-core"
    env = {**lab["env"], "LAB_URL": lab["url"], "LAB_TOKEN": lab["token"], "NOTEBOOK": "sidebar.ipynb",
           "CHROMIUM": CHROMIUM, "NODE_PATH": str(NODE_MODULES), "SMALL": str(SMALL), "BIG": str(BIG),
           "SMALL_URL": _catalog(tmp_path / "small.sqlite", SMALL), "BIG_URL": _catalog(tmp_path / "big.sqlite", BIG)}
    run = subprocess.run([node, str(Path(__file__).parent / "sidebar_scale.js")], env=env, capture_output=True,
                         text=True, timeout=300)
    report = f"{run.stdout}\n{run.stderr}\n--- jupyter lab log ---\n{lab['log'].read_text()[-3000:]}"
    print(run.stdout)
    assert run.returncode == 0, report
    for check in ("tables are all listed", "the tree lists the first", "a button shows more tables",
                  "showing more adds a page", "the filter finds the last table", "an opened table shows its columns"):
        assert check in run.stdout, report
