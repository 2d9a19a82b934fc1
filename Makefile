# Casusoverleg. `make run` starts the demo; `make test` runs the whole suite (README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Parallel workers for the suite (pytest-xdist); CI machines have 2 cores.
WORKERS ?= auto

.PHONY: run test lint lock messages check-migrations clean bench bench-postgres bench-scale \
	bench-scale-large bench-audit bench-tools

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

# `make bench` also runs the need-to-know scale benchmark (issue 4) and the access-log benchmark
# (issue 5) when the PostgreSQL server answers; without one it says so and stops after the page
# benchmark.
# tools/bench.py rewrites docs/benchmarks.md with its own blocks only: a copy taken before lets
# the scale benchmark carry its sections and hand-written findings over (--keep-from).
bench: $(STAMP)
	cp docs/benchmarks.md /tmp/casusoverleg-benchmarks-before.md
	DATABASE_URL= $(PY) tools/bench.py $(BENCH_ARGS)
	@if pg_isready -q -d "$(SCALE_SERVER_URL)/postgres" 2>/dev/null; then \
		status=0; \
		$(MAKE) --no-print-directory bench-scale \
			SCALE_ARGS="$(SCALE_ARGS) --keep-from /tmp/casusoverleg-benchmarks-before.md" || status=1; \
		$(MAKE) --no-print-directory bench-audit \
			AUDIT_ARGS="$(AUDIT_ARGS) --keep-from /tmp/casusoverleg-benchmarks-before.md" || status=1; \
		exit $$status; \
	else \
		echo "PostgreSQL at $(SCALE_SERVER_URL) does not answer: scale and access-log benchmarks skipped (make bench-scale, make bench-audit)."; \
	fi

bench-postgres: $(STAMP)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) tools/bench.py $(BENCH_ARGS)

# Need to know at scale (issue 4, tools/scale_bench.py): fills casusoverleg_scale (100,000 cases,
# 500,000 grants, a million shared items; a few minutes) or casusoverleg_scale_large (1,000,000
# cases, 3,000,000 participants) on the server with set-based SQL (tools/scale_data.py), reuses it
# while the scale, the generator and the migrations are unchanged, and measures the case list and
# case page in process, the list and item queries against a raw-SQL floor, and gunicorn under wrk.
# The load generator is Debian's wrk: `make bench-tools` installs it (apt-get, as root).
# SCALE_ARGS, e.g. "--rebuild", "--no-load" or "--requests 30 --load-seconds 10".
SCALE_SERVER_URL ?= postgres://postgres@127.0.0.1:5432

bench-scale: $(STAMP)
	@command -v wrk >/dev/null || echo "wrk is not installed: throughput is skipped (make bench-tools)."
	$(PY) tools/scale_bench.py --scale default --database-url $(SCALE_SERVER_URL)/casusoverleg_scale $(SCALE_ARGS)

bench-scale-large: $(STAMP)
	@command -v wrk >/dev/null || echo "wrk is not installed: throughput is skipped (make bench-tools)."
	$(PY) tools/scale_bench.py --scale large --database-url $(SCALE_SERVER_URL)/casusoverleg_scale_large $(SCALE_ARGS)

# The access log at scale (issue 5, tools/audit_bench.py): fills casusoverleg_audit_bench with
# tools/bench.py's world and 10,000,000 access events over two years (set-based SQL on two
# connections, indexes built after the load; about 8 minutes on 2 cores, 8 GB), reuses it while
# the scale, the generator and the migrations are unchanged, and measures (about 4 minutes) the
# FG's search for one youth, the employee-month view, sealing and verifying a million events, and
# the cost of logging (pages with and without the event write). AUDIT_ARGS, e.g. "--rebuild",
# "--scale small" (a million events in casusoverleg_audit_bench_small) or "--requests 50".
bench-audit: $(STAMP)
	$(PY) tools/audit_bench.py --server-url $(SCALE_SERVER_URL) $(AUDIT_ARGS)

bench-tools:
	command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)

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
