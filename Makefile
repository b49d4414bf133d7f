# doyak: two commands from a fresh clone.
#   make demo   install, migrate, load demo data, serve on http://127.0.0.1:8000
#   make test   install, lint, check migrations and translations, run the tests on SQLite and PostgreSQL
# Each step is idempotent: a second run reuses what the first one made.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DOYAK := $(BIN)/doyak
# The demo is a local, plain-HTTP server: no HTTPS redirect, debug pages off.
DEMO_ENV := DOYAK_HTTPS=0

.PHONY: demo test install assets messages migrate seed serve lint check-migrations check-messages test-sqlite test-postgres bench clean

demo: install assets messages migrate seed
	$(DEMO_ENV) $(DOYAK) collectstatic --noinput -v 0
	@echo "doyak is starting on http://127.0.0.1:8000 with a background worker (Ctrl+C stops both)"
	$(DEMO_ENV) bash scripts/serve_demo.sh $(DOYAK)

# the checks before the suite run side by side (each is one process on one core), then the suite on each database
test: install assets
	$(MAKE) --no-print-directory -j4 messages lint check-migrations check-messages
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

assets: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

messages: install
	cd src/doyak && ../../$(DOYAK) compilemessages --ignore '.venv' -v 0

migrate: install
	$(DOYAK) migrate --noinput -v 0

seed: install
	$(DOYAK) seed --scale demo

lint: install
	$(BIN)/ruff check src tests bench scripts

check-migrations: install
	$(DOYAK) makemigrations --check --dry-run

check-messages: install
	$(BIN)/python scripts/check_messages.py

test-sqlite: install
	$(BIN)/pytest -q -n 2

# PostgreSQL runs the tests that reach the database (DOYAK_TEST_DATABASE_ONLY, tests/conftest.py): the others
# cannot touch it and already ran on SQLite. The browser tests (flows and presentation checks) also run once, on
# SQLite: they drive the same views and services whose tests run here on both databases. The API is fuzzed there as
# one role, the administrator: who may do what does not depend on the database (tests/config/test_schemathesis.py).
test-postgres: install
	DOYAK_TEST_DATABASE_ONLY=1 DOYAK_SCHEMATHESIS_ROLES=administrator $(BIN)/python scripts/test_postgres.py -q -n 2 -m "not presentation and not browser"

bench: install
	@echo "See bench/README.md; each script prints its figures and its baseline."

clean:
	rm -rf $(VENV) node_modules var
