# Lantern's commands. `make demo` and `make test` are the two README commands: each creates the
# virtual environment itself on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The venv is rebuilt whenever pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# pytest-xdist workers for `make test`: CI has 2 cores. Each worker takes its own Redis database
# (config/settings/test.py), counting up from REDIS_URL's (14 unless set), and Redis has 16.
PYTEST_WORKERS ?= 2
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint format venv services system-deps browser-deps worker beat clean

$(STAMP): pyproject.toml
	rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	touch $@

venv: $(STAMP)

system-deps:
	scripts/install-system-deps

## The tests also drive Debian's chromium (Playwright cannot download its own browser here), and
## inject axe-core (pinned in tests/browser/package-lock.json) into every page they visit.
browser-deps:
	scripts/install-system-deps --browser
	npm ci --prefix tests/browser --no-audit --no-fund

services:
	scripts/ensure-services

## The embedded demo: SQLite, in-process tasks, synthetic data. Prints the URL and the logins.
demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Lantern is running at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## The whole test suite against real PostgreSQL and Redis (started here if they are down).
test: $(STAMP) browser-deps services lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## ruff, then the import-linter contracts of pyproject.toml (the apps import only downwards).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(STAMP)
	$(BIN)/celery -A config worker --loglevel=INFO

beat: $(STAMP)
	$(BIN)/celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
