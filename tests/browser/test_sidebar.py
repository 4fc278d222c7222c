"""The JupyterLab sidebar in a real JupyterLab and the system's Chromium (``sidebar.js``, playwright-core).

Screenshots go to ``tests/browser/artifacts/``. Fails, never skips, when Chromium, node or the
built extension is missing: ``make setup-test`` provides all three.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
ARTIFACTS = Path(__file__).parent / "artifacts"
NODE_MODULES = ROOT / "labextension" / "node_modules"
CHROMIUM = os.environ.get("VANNA_TEST_CHROMIUM", "/usr/bin/chromium")
JUPYTER = Path(sys.executable).parent / "jupyter"

pytestmark = pytest.mark.browser

NOTEBOOK = {"cells": [{"cell_type": "code", "execution_count": None, "id": "first", "metadata": {}, "outputs": [],
                       "source": "# the vanna-magic sidebar drives this notebook"}],
            "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(tmp: Path, cache_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VANNA_MAGIC_", "JUPYTER"))}
    env.update(VANNA_MAGIC_CACHE_DIR=str(cache_dir), PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"))
    return env


def _wait_for_server(url: str, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"jupyter lab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"jupyter lab did not answer within 60 s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory, cache_dir):
    """A JupyterLab server on a free port, serving a folder with one notebook."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "notebooks"
    root.mkdir()
    (root / "sidebar.ipynb").write_text(json.dumps(NOTEBOOK))
    news = tmp / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))  # no news toast on the screenshots
    token, port = secrets.token_hex(16), _free_port()
    env = _environment(tmp, cache_dir)
    log = tmp / "lab.log"
    args = [str(JUPYTER), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.news_url=",
            "--ServerApp.open_browser=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    with log.open("w") as out:
        server = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(url, token, server, log)
        yield {"url": url, "token": token, "env": env, "log": log}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_the_extension_is_installed_and_enabled(lab):
    listing = subprocess.run([str(JUPYTER), "labextension", "list"], env=lab["env"], capture_output=True,
                             text=True, timeout=60)
    line = next((line for line in (listing.stdout + listing.stderr).splitlines() if "vanna-magic" in line), "")
    assert "enabled" in line and "OK" in line, listing.stdout + listing.stderr


def test_sidebar_shows_schema_docs_and_health_from_the_kernel(lab):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium"
    node = shutil.which("node")
    assert node, "node is missing: install Node.js 20"
    assert (NODE_MODULES / "playwright-core").is_dir(), "run `jlpm install` in labextension/ (make setup-test does)"
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    env = {**lab["env"], "LAB_URL": lab["url"], "LAB_TOKEN": lab["token"], "NOTEBOOK": "sidebar.ipynb",
           "ARTIFACTS": str(ARTIFACTS), "CHROMIUM": CHROMIUM, "NODE_PATH": str(NODE_MODULES)}
    run = subprocess.run([node, str(Path(__file__).parent / "sidebar.js")], env=env, capture_output=True,
                         text=True, timeout=150)
    report = f"{run.stdout}\n{run.stderr}\n--- jupyter lab log ---\n{lab['log'].read_text()[-3000:]}"
    assert run.returncode == 0, report
    for check in ("schema lists the demo tables", "revenue definition", "system health shows the current mode",
                  "inserts a %%ask cell", "health shows its latencies", "error appears as a message", "EMERGENCY",
                  "after a kernel restart", "everything fits in 7-after-restart", "last errors of this kernel",
                  "how to leave LIMITED_AI"):
        assert check in run.stdout, report
    assert sorted(p.name for p in ARTIFACTS.glob("*.png")) == [
        "1-not-loaded.png", "2-docs.png", "2-health.png", "3-filtered.png", "4-ask-cell-and-search.png",
        "5-latencies.png", "6-unreachable-database.png", "7-after-restart.png"]
