# Casusoverleg. `make run` starts the demo; `make test` runs the whole suite (README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Parallel workers for the suite (pytest-xdist); CI machines have 2 cores.
WORKERS ?= auto

.PHONY: run test lint lock messages check-migrations clean bench bench-postgres

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	DJANGO_DEBUG=true $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=true $(PY) manage.py seed_demo
	@echo "Casusoverleg demo: http://127.0.0.1:$(PORT)/  (Ctrl+C stops it)"
	DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings_test $(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(WORKERS) $(PYTEST_ARGS)

# Benchmarks of the case pages, written to docs/benchmarks.md (tools/bench.py; a throwaway
# database each time: a temporary SQLite file, or test_<name>_bench on the PostgreSQL server).
# BENCH_ARGS, e.g. "--requests 20 --pdf-runs 5", makes a quicker run.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/casusoverleg_bench

bench: $(STAMP)
	DATABASE_URL= $(PY) tools/bench.py $(BENCH_ARGS)

bench-postgres: $(STAMP)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) tools/bench.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the constraints file (exact versions of everything installed) after changing pyproject.toml.
lock:
	rm -rf /tmp/casusoverleg-lock && $(PYTHON) -m venv /tmp/casusoverleg-lock
	/tmp/casusoverleg-lock/bin/pip install --quiet --upgrade pip
	/tmp/casusoverleg-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/casusoverleg-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

# Extract and compile translations (needs GNU gettext).
messages: $(STAMP)
	DJANGO_DEBUG=true $(PY) manage.py makemessages -l nl -l en --no-obsolete --ignore=.venv --ignore=static --ignore=tests
	DJANGO_DEBUG=true $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
