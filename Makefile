# saksflyt: `make run` serves the demo on SQLite; `make test` runs every test (SQLite + PostgreSQL).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
T ?= tests
# Test processes (pytest-xdist, whole files per process): the 2-core CI machine runs two.
WORKERS ?= 2
export SAKSFLYT_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: help install run test test-fast test-future lint fix bench conformance check migration web-assets chromium \
	faketime screenshots messages

help: ## Print this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml constraints.txt
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(BIN)/.installed ## Create .venv and install pinned dependencies

web/static/vendor/.installed: web/package.json web/package-lock.json web/copy-vendor.sh
	cd web && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p web/static/vendor
	bash web/copy-vendor.sh
	touch $@

web-assets: web/static/vendor/.installed ## Install front-end assets from npm (served locally)

chromium: ## Install Debian's chromium (browser tests) and pango + fonts (PDFs) if missing
	@test -x /usr/bin/chromium && dpkg -s libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null)

faketime: ## Install Debian's faketime (libfaketime, for test-future) if missing
	@test -x /usr/bin/faketime || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq faketime >/dev/null)

run: install web-assets chromium ## Install, migrate, load the demo organisation, deploy, serve on :5000
	$(BIN)/saksflyt migrate
	$(BIN)/saksflyt demo
	$(BIN)/saksflyt deploy
	@echo "Serving http://$${SAKSFLYT_HOST:-127.0.0.1}:$${SAKSFLYT_PORT:-5000}  (demo users: see README, password above)"
	SAKSFLYT_DEMO_CLOCK=$${SAKSFLYT_DEMO_CLOCK:-true} $(BIN)/saksflyt serve

test: install web-assets chromium ## Run every test on SQLite and PostgreSQL (T=tests/engine for a slice)
	$(BIN)/pytest $(T) -q -n $(WORKERS) --dist loadfile

test-fast: install chromium ## Everything but the browser journeys
	$(BIN)/pytest $(T) -q -m "not ui"

# The suite with the machine's clock YEARS calendar years ahead, one run per value (0: today),
# through libfaketime (the thread-safe build: waitress, the scheduler and Playwright use threads).
# FAKETIME is an offset in seconds, so the clock keeps ticking, and every process the run starts
# (xdist workers, `saksflyt serve`/`worker`, Playwright's node driver) inherits it; the spec is
# in the environment, not in a file, so FAKETIME_NO_CACHE changes nothing. The monotonic clock
# stays real, since a faked one hangs Python's timed thread waits; tests/clock/sitecustomize.py
# mends time.sleep for that. Chromium hangs under libfaketime and keeps the real clock
# (tests/ui/harness.py); PostgreSQL's server clock is not moved (the code never asks it the
# time). The suite's own year ahead (tests/conftest.py) is off, so the years are exact.
YEARS ?= 1 3
test-future: install web-assets chromium faketime ## Run the tests with the clock YEARS ahead (YEARS="1 3")
	@failed=; for years in $(YEARS); do \
	  offset=$$(( $$(date -d "+$$years years" +%s) - $$(date +%s) )); \
	  echo "== test-future: +$$years year(s), $$(date -d "+$$years years" '+%F %H:%M %Z')"; \
	  LD_PRELOAD='/usr/$$LIB/faketime/libfaketimeMT.so.1' FAKETIME="+$$offset" \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 PYTHONPATH=$(CURDIR)/tests/clock SAKSFLYT_TEST_CLOCK_AHEAD_DAYS=0 \
	    $(BIN)/pytest $(T) -q -n $(WORKERS) --dist loadfile || failed="$$failed +$$years"; \
	done; test -z "$$failed" || { echo "test-future failed at:$$failed"; exit 1; }

lint: install ## ruff check, ruff format --check, mypy --strict, import-linter
	$(BIN)/ruff check engine api web saksflyt tests bench tools
	$(BIN)/ruff format --check engine api web saksflyt tests bench tools
	$(BIN)/mypy
	$(BIN)/lint-imports

fix: install ## ruff --fix and ruff format
	$(BIN)/ruff check --fix engine api web saksflyt tests bench tools
	$(BIN)/ruff format engine api web saksflyt tests bench tools

bench: install ## Print throughput and latency figures with ratios to the raw baseline
	$(BIN)/python -m bench

conformance: install ## Bare SpiffWorkflow vs saksflyt on the MIWG corpus (or DIR=…), end to end
	$(BIN)/python -m bench.conformance $(DIR)

migration: install ## New Alembic revision: make migration m="add due date to user task"
	$(BIN)/python -c "from saksflyt.cli import alembic_config; from engine.settings import Settings; from alembic import command; command.revision(alembic_config(Settings.from_env()), message='$(m)', autogenerate=True)"

# Texts kept the old way (web/i18n*.py dicts, nb/en tables in modules, mail YAML) into the .po
# catalogues; REF="branch other" also reads them as those branches have them (after a merge).
messages: install ## Move old-style texts into engine/translations (REF="branch ..." reads branches)
	$(BIN)/python tools/import_messages.py $(foreach ref,$(REF),--ref $(ref))

check: lint test ## lint + test (the migration check is a test)

screenshots: install web-assets chromium ## Write docs/screenshots/ from the demo in real Chromium
	$(BIN)/python -m tests.ui.screenshots
