# longgame: make demo | test | bench | app | lint | format | clean | venv
#
# Everything runs in a virtual environment ($(VENV), default .venv) made on first use from the
# first Python >= 3.12 found (override with PYTHON=/path/to/python3.12). It is reinstalled when
# pyproject.toml changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON ?=
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.longgame-installed
OUT ?= out
DEMO_OUT ?= $(OUT)/demo
PYTEST_WORKERS ?= 2

# System packages the tests need, installed (as root, with apt-get) only when their binary is
# missing. Format: binary:package. Chromium drives the web app's browser tests (tests/test_app*.py).
SYSTEM_DEPS ?= chromium:chromium

# The web app's front-end files (Solara loads them from a public CDN unless they are in its asset
# cache): npm packages, pinned to what solara 1.64 with ipyvue 3 asks for, unpacked from the npm
# registry into the cache once. SOLARA_ASSETS_PROXY_CACHE_DIR moves the cache (as in Solara).
SOLARA_CDN ?= $(or $(SOLARA_ASSETS_PROXY_CACHE_DIR),$(VENV)/share/solara/cdn)
SOLARA_ASSET_SPECS := @widgetti/solara-vuetify3-app@5.2.0 requirejs@2.3.6 font-awesome@4.5.0 \
	mermaid@10.8.0 katex@0.16.9

# Interpreters tried in order; each is *run*, since pyenv shims exist for versions that are not
# selected and then fail with "command not found".
PYTHON_CANDIDATES := python3.13 python3.12 \
	"env PYENV_VERSION=3.13.0 python3.13" "env PYENV_VERSION=3.12.1 python3.12"
CHECK_VERSION := import sys; assert sys.version_info >= (3, 12)

.PHONY: help venv demo test bench app app-assets lint format clean system-deps fuzz

help:
	@echo "make demo    compare the default strategies and draw the chart ($(DEMO_OUT))"
	@echo "make test    lint, format check and the test suite"
	@echo "make bench   benchmarks (python -m bench; options: BENCH_ARGS='--huge --repeats 5')"
	@echo "make app     the web app (longgame app)"
	@echo "make lint    ruff check;  make format: ruff format and fixes"
	@echo "make fuzz    input fuzzing and extreme parameters, full profile (docs/reliability.md)"
	@echo "make venv    the virtual environment only ($(VENV); set VENV=... to place it elsewhere)"
	@echo "make clean   remove build, test and output artefacts (keeps data/ and $(VENV))"

$(PY):
	@python_bin="$(PYTHON)"; \
	if [ -z "$$python_bin" ]; then \
	  for cand in $(PYTHON_CANDIDATES); do \
	    if path=$$($$cand -c '$(CHECK_VERSION); print(sys.executable)' 2>/dev/null); then \
	      python_bin="$$path"; break; \
	    fi; \
	  done; \
	fi; \
	if [ -z "$$python_bin" ] && command -v pyenv >/dev/null 2>&1; then \
	  for cand in "$$(pyenv root)"/versions/3.1[23]*/bin/python3; do \
	    if [ -x "$$cand" ] && "$$cand" -c '$(CHECK_VERSION)' 2>/dev/null; then \
	      python_bin="$$cand"; break; \
	    fi; \
	  done; \
	fi; \
	if [ -z "$$python_bin" ]; then \
	  echo "error: no Python >= 3.12 found (tried: $(PYTHON_CANDIDATES) and pyenv versions)." >&2; \
	  echo "Install Python 3.12 or newer, or run: make PYTHON=/path/to/python3.12 ..." >&2; \
	  exit 1; \
	fi; \
	"$$python_bin" -c '$(CHECK_VERSION)' || { echo "error: $$python_bin is older than 3.12" >&2; exit 1; }; \
	echo "Creating $(VENV) with $$python_bin"; \
	"$$python_bin" -m venv "$(VENV)"

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch "$@"

venv: $(STAMP)

system-deps:
	@for dep in $(SYSTEM_DEPS); do \
	  binary="$${dep%%:*}"; package="$${dep#*:}"; \
	  if command -v "$$binary" >/dev/null 2>&1; then continue; fi; \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "error: $$binary is missing; install the package '$$package' (needs root)" >&2; exit 1; \
	  fi; \
	  echo "Installing $$package for $$binary"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$$package"; \
	done

# One folder per package spec; a spec whose folder exists is skipped (idempotent).
app-assets: venv
	@for spec in $(SOLARA_ASSET_SPECS); do \
	  target="$(SOLARA_CDN)/$$spec"; \
	  if [ -f "$$target/package.json" ]; then continue; fi; \
	  command -v npm >/dev/null 2>&1 || { \
	    echo "error: npm is needed once to fetch the web app's front-end files ($$spec)" >&2; exit 1; }; \
	  echo "Fetching $$spec into $(SOLARA_CDN)"; \
	  tmp="$$(mktemp -d)"; \
	  (cd "$$tmp" && npm pack --silent "$$spec" >/dev/null) && \
	  mkdir -p "$$tmp/unpacked" && tar -xzf "$$tmp"/*.tgz -C "$$tmp/unpacked" && \
	  mkdir -p "$$(dirname "$$target")" && rm -rf "$$target" && \
	  mv "$$tmp/unpacked/package" "$$target" || { rm -rf "$$tmp"; exit 1; }; \
	  rm -rf "$$tmp"; \
	done

demo: venv
	$(BIN)/longgame compare scenarios/default.toml --out $(DEMO_OUT)
	@echo "Chart: $(DEMO_OUT)/trajectories.png (and .svg); metrics and manifest in $(DEMO_OUT)/"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: venv system-deps app-assets lint
	LONGGAME_REQUIRE_BROWSER=1 $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

bench: venv
	@if [ -f bench/__main__.py ] || [ -f bench.py ]; then \
	  $(PY) -m bench $(BENCH_ARGS); \
	else \
	  echo "error: no benchmarks yet (bench/ is missing)" >&2; exit 1; \
	fi

app: venv app-assets
	$(BIN)/longgame app

clean:
	rm -rf $(OUT) build dist .pytest_cache .ruff_cache .hypothesis test-artifacts
	find . \( -path ./.venv -o -path ./$(VENV) \) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find . \( -path ./.venv -o -path ./$(VENV) \) -prune -o -name '*.egg-info' -type d -prune -exec rm -rf {} +

# Full fuzzing profile (make test runs the quick one): 10,000 cases per loader fuzz test and
# many random parameter corners (tests/test_fuzz.py, tests/test_extremes.py).
fuzz: venv
	LONGGAME_FUZZ=full $(BIN)/pytest -q tests/test_fuzz.py tests/test_extremes.py

# Stress tests (not part of make test): 20 kill-and-resume trials of a sweep
# (tests/test_sweep_kill.py; make test runs 3), and the web load test with 10 concurrent
# sessions (tests/test_web_load.py; make test runs 3).
.PHONY: stress
stress: venv system-deps app-assets
	LONGGAME_KILL_TRIALS=20 $(BIN)/pytest -q tests/test_sweep_kill.py
	LONGGAME_LOAD_SESSIONS=10 $(BIN)/pytest -q -s tests/test_web_load.py
