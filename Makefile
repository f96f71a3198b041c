# saksflyt: `make run` serves the demo on SQLite; `make test` runs every test (SQLite + PostgreSQL).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
T ?= tests
# Test processes (pytest-xdist, whole files per process): the 2-core CI machine runs two.
WORKERS ?= 2
export SAKSFLYT_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: help install run test test-fast lint fix bench check migration web-assets chromium screenshots

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
	@test -x /usr/bin/chromium && dpkg -s libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	   libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null)

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

lint: install ## ruff check, ruff format --check, mypy --strict, import-linter
	$(BIN)/ruff check engine api web saksflyt tests bench
	$(BIN)/ruff format --check engine api web saksflyt tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

fix: install ## ruff --fix and ruff format
	$(BIN)/ruff check --fix engine api web saksflyt tests bench
	$(BIN)/ruff format engine api web saksflyt tests bench

bench: install ## Print throughput and latency figures with ratios to the raw baseline
	$(BIN)/python -m bench

migration: install ## New Alembic revision: make migration m="add due date to user task"
	$(BIN)/python -c "from saksflyt.cli import alembic_config; from engine.settings import Settings; from alembic import command; command.revision(alembic_config(Settings.from_env()), message='$(m)', autogenerate=True)"

check: lint test ## lint + test (the migration check is a test)

screenshots: install web-assets chromium ## Write docs/screenshots/ from the demo in real Chromium
	$(BIN)/python -m tests.ui.screenshots
