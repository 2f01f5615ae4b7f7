# TCMS. `make run` and `make test` do all the set-up on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
DEMO_PROJECTS ?= 300
# The business date of `make run` (core/clock.py): the demo's data run to this day. Empty: the real date.
DEMO_TODAY ?= 2001-10-31
# Test processes (pytest-xdist): one per core; PYTEST_WORKERS=0 runs the suite in this one process.
PYTEST_WORKERS ?= auto

.PHONY: run test install setup lint check assets clean bench

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

# Migrate, translations, static files, reference and demo data (each step reuses what exists).
setup: install
	$(MANAGE) migrate --noinput
	$(MANAGE) compile_translations
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) load_reference
	$(MANAGE) seed_users
	$(MANAGE) seed_demo --projects $(DEMO_PROJECTS) --seed 1 --if-empty

run: export TCMS_TODAY ?= $(DEMO_TODAY)
run: setup
	$(MANAGE) serve_all

# Tests are handed out in collection order (--dist load); the 15 slowest are listed. Compiled modules are cached
# (__pycache__, ignored by git) even where PYTHONDONTWRITEBYTECODE is set: each test process imports them all.
test: export PYTHONDONTWRITEBYTECODE =
test: install
	$(MANAGE) compile_translations --verbosity 0
	@start=$$(date +%s); set -x; \
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist load --durations=15 $(PYTEST_ARGS); \
	{ status=$$?; set +x; } 2>/dev/null; \
	elapsed=$$(( $$(date +%s) - start )); \
	echo "make test: the suite took $$((elapsed / 60)) min $$((elapsed % 60)) s (wall time)"; \
	exit $$status

lint: install
	$(BIN)/ruff check .

check: install
	$(BIN)/ruff check .
	$(MANAGE) makemigrations --check --dry-run

# Refresh static/vendor/ from the npm registry (needs Node.js; the result is committed).
assets:
	npm install --no-audit --no-fund
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/
	cp node_modules/axe-core/axe.min.js tests/browser/vendor/
	cp node_modules/axe-core/LICENSE tests/browser/vendor/axe-core-LICENSE
	sed -i 's#^//\# sourceMappingURL=.*$$##; s#/\*\# sourceMappingURL=.*\*/##' static/vendor/*

clean:
	rm -rf var/broker var/celerybeat-schedule* var/static
