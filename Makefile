# The two commands of the README:
#   make demo   set up a local environment and start the demo (no server, no API key)
#   make test   set up the test environment and run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
DEMO_QUESTION ?= What was the revenue per month in 2024?
export LITELLM_LOCAL_MODEL_COST_MAP := True
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: demo test setup setup-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.lab-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

setup: $(VENV)/.lab-installed

setup-test: $(VENV)/.test-installed $(VENV)/.sidebar-linked /usr/bin/chromium

# The JupyterLab sidebar: `pip install -e` builds it once (hatch-jupyter-builder); for the tests it is
# linked into the environment and rebuilt whenever its sources change.
SIDEBAR_SOURCES := $(wildcard labextension/src/*.ts labextension/style/*) labextension/package.json
vanna_magic/labextension/package.json: $(SIDEBAR_SOURCES) | $(VENV)/.test-installed
	cd labextension && PATH="$(abspath $(BIN)):$$PATH" jlpm install && PATH="$(abspath $(BIN)):$$PATH" jlpm build:prod

$(VENV)/.sidebar-linked: vanna_magic/labextension/package.json
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
	$(BIN)/jupyter lab notebooks/quickstart.ipynb --no-browser $(ROOT_FLAG)

test: setup-test
	$(BIN)/ruff check vanna_magic tests bench
	$(BIN)/python -m pytest --nbval --nbval-sanitize-with notebooks/sanitize.cfg tests notebooks

bench: setup-test
	$(BIN)/python bench/engine_overhead.py

clean:
	rm -rf $(VENV) .pytest_cache
