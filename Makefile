# Corridor Portal. `make run` serves the demo; `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: run test lint format messages bench bench-load bench-rosters bench-dashboard clean setup

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

test: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extract the messages, then fill in locale/zh_Hans/LC_MESSAGES/django.po and compile.
messages: $(STAMP)
	$(BIN)/python manage.py makemessages --locale zh_Hans --no-obsolete --add-location file \
		--ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*'
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore '.venv/*'

# The benchmarks work in scratch SQLite files under var/, or in DATABASE_URL when its name
# contains "bench" (docs/performance.md, docs/rosters.md, docs/dashboard.md).
BENCH_DATABASE_URL ?= postgres://corridor:corridor@127.0.0.1:5432/corridor_bench
bench: bench-load

# The portal under gunicorn and wrk at district scale; writes docs/performance.md.
bench-load: $(STAMP)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/load.py --scale district --write

# Generating a year of weekly shifts for 10,000 units.
bench-rosters: $(STAMP)
	$(BIN)/python bench/roster_generation.py --units 10000 --weeks 52

# The dashboards and the upward report on 5 communities (25,000 households), reusing the
# data of an earlier run of that size; the whole district of 100,000 households:
# `$(BIN)/python bench/dashboard.py --write`.
bench-dashboard: $(STAMP)
	$(BIN)/python bench/dashboard.py --communities 5 --requests 10 --reuse

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache
