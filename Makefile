# QNetPlan — the two commands: `make run` (serve UI + API) and `make test` (whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_DEV := $(VENV)/.installed-dev
STAMP_APP := $(VENV)/.installed-app
STATIC := backend/qnetplan/static/index.html
FRONTEND_SRC := $(shell find frontend/src frontend/scripts frontend/public frontend/index.html frontend/package.json frontend/package-lock.json frontend/tsconfig.json frontend/vite.config.ts -type f 2>/dev/null)

.PHONY: run test sysdeps install install-dev frontend lint typecheck test-py test-frontend bench demo clean

run: $(STAMP_APP) frontend
	$(BIN)/qnetplan db upgrade
	$(BIN)/qnetplan serve

test: $(STAMP_DEV) frontend
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-frontend
	$(BIN)/pytest

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP_APP): requirements/app.lock pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements/app.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

$(STAMP_DEV): requirements/dev.lock pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements/dev.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@ $(STAMP_APP)

install: $(STAMP_APP)
install-dev: $(STAMP_DEV)

# The front end is built into the Python package's static folder (only when its sources changed).
frontend: $(STATIC)
$(STATIC): $(FRONTEND_SRC)
	@if [ -f frontend/package.json ]; then \
	  cd frontend && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build; \
	else mkdir -p $(dir $(STATIC)); echo '<!doctype html><title>QNetPlan</title><p>Front end not built.</p>' > $(STATIC); fi

lint: $(STAMP_DEV)
	$(BIN)/ruff check backend tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

test-frontend:
	@if [ -f frontend/package.json ]; then cd frontend && npm run --silent test; fi

# System packages for browser tests and PDF reports (Debian, root). The product runs without them.
sysdeps:
	@pkgs="chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core"; \
	missing=$$(for p in $$pkgs; do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "sysdeps: all present"; else \
	  SUDO=$$( [ $$(id -u) -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; fi

bench: $(STAMP_DEV)
	$(BIN)/python -m bench

demo: $(STAMP_APP)
	$(BIN)/qnetplan db upgrade
	$(BIN)/qnetplan demo

clean:
	rm -rf $(VENV) frontend/node_modules backend/qnetplan/static .pytest_cache .hypothesis .mypy_cache .ruff_cache
