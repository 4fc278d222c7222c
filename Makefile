# The two commands of the README:
#   make demo   set up a local environment and start the demo (no server, no API key)
#   make test   set up the test environment and run the whole suite
# Both install exactly what uv.lock says (`uv sync --locked`); `make lock` refreshes the lock.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# uv itself, pinned, in a small environment of its own (.uv/); the lock pins everything else.
UV_VERSION := 0.13.9
UV     := .uv/bin/uv
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
DEMO_QUESTION ?= What was the revenue per month in 2024?
export LITELLM_LOCAL_MODEL_COST_MAP := True
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

# What each command installs from the lock: every extra (drivers, charts, secrets, JupyterLab), the
# `build` group (the project is built in this environment), and for the tests the `dev` group.
DEMO_SYNC := --extra all --group build --no-dev
TEST_SYNC := --extra all --group build --group dev

.PHONY: demo test setup setup-test lock upstream-check wheel-check bench clean

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

# Two steps: the locked dependencies (build tools included) first, then the project, built with them.
setup: | $(UV)
	$(UV) sync --locked --no-install-project $(DEMO_SYNC)
	$(UV) sync --locked $(DEMO_SYNC)

setup-test: $(VENV)/.sidebar-linked /usr/bin/chromium

sync-test: | $(UV)
	$(UV) sync --locked --no-install-project $(TEST_SYNC)
	$(UV) sync --locked $(TEST_SYNC)

.PHONY: sync-test

# The JupyterLab sidebar: installing the project builds it once (hatch-jupyter-builder); for the tests it
# is linked into the environment and rebuilt whenever its sources change.
SIDEBAR_SOURCES := $(wildcard labextension/src/*.ts labextension/style/*) labextension/package.json labextension/yarn.lock
vanna_magic/labextension/package.json: $(SIDEBAR_SOURCES) | sync-test
	cd labextension && PATH="$(abspath $(BIN)):$$PATH" jlpm install --immutable && PATH="$(abspath $(BIN)):$$PATH" jlpm build:prod

$(VENV)/.sidebar-linked: vanna_magic/labextension/package.json | sync-test
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter labextension develop --overwrite .
	touch $@

# The browser tests drive the system's Chromium (never a downloaded one).
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; \
	else echo "The browser tests need /usr/bin/chromium: sudo apt-get install -y --no-install-recommends chromium" >&2; fi

demo: setup
	@echo "== vanna-magic ask \"$(DEMO_QUESTION)\"  (embedded demo database, no model configured)"
	$(BIN)/vanna-magic ask "$(DEMO_QUESTION)"
	@echo
	@echo "== Starting JupyterLab on notebooks/quickstart.ipynb"
	@echo "   open the URL printed below (with its token); stop with Ctrl-C"
	$(BIN)/jupyter lab --no-browser $(ROOT_FLAG) --LabApp.default_url=/lab/tree/notebooks/quickstart.ipynb

test: setup-test
	$(BIN)/ruff check vanna_magic tests bench
	$(BIN)/python -m pytest --nbval --nbval-sanitize-with notebooks/sanitize.cfg tests notebooks

# Refresh uv.lock to the newest versions pyproject.toml allows (then run `make test`, and commit both).
lock: | $(UV)
	$(UV) lock --upgrade

# The firewall and SQL tests against the newest versions pyproject.toml allows, not the lock: tells in
# advance which upstream release would break a `pip install vanna-magic` (reports, never fails).
upstream-check: | $(UV)
	UV=$(abspath $(UV)) .ci/upstream-check

# The wheel users get: built from a clean clone, installed into a fresh environment without Node.js.
wheel-check: | $(UV)
	UV=$(abspath $(UV)) .ci/wheel-check

bench: setup-test
	$(BIN)/python bench/engine_overhead.py

clean:
	rm -rf $(VENV) .uv .pytest_cache
