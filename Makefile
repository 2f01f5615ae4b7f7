# TCMS. `make run` and `make test` do all the set-up on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
DEMO_PROJECTS ?= 300

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

run: setup
	$(MANAGE) serve_all

test: install
	$(MANAGE) compile_translations --verbosity 0
	$(BIN)/pytest $(PYTEST_ARGS)

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
	sed -i 's#^//\# sourceMappingURL=.*$$##; s#/\*\# sourceMappingURL=.*\*/##' static/vendor/*

clean:
	rm -rf var/broker var/celerybeat-schedule* var/static
