# Rollbook: `make demo` starts a demo school; `make test` runs every test.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
URL = http://$(HOST):$(PORT)
MAIL_PORT ?= 1025
# Browser tests need Debian's Chromium at /usr/bin/chromium (see docs/tests.md).
# Tests run in parallel, one pytest-xdist worker per core (0: one process), each with its own test database.
TEST_WORKERS ?= auto
SCALES ?= 1 5

.PHONY: help install demo serve test check-migrations test-fast lint format migrate bench bench-roster clean

help:
	@echo "make demo              install, migrate, build the demo school, print its logins, serve it on $(URL)"
	@echo "                       (with a background worker and a mail catcher on port $(MAIL_PORT): docs/notifications.md)"
	@echo "make serve             serve the existing database on $(URL), with the background worker"
	@echo "make test              install everything, check the migrations, run every test (browser tests included)"
	@echo "make test-fast         every test but the browser ones"
	@echo "make check-migrations  every migration up, down to zero and up again, on a scratch database"
	@echo "make install           only install (into $(VENV)) and compile the translations"
	@echo "make migrate           bring the database (DATABASE_URL, else db.sqlite3) up to date"
	@echo "make lint              ruff check and ruff format --check"
	@echo "make format            apply ruff's fixes and formatting"
	@echo "make bench             the benchmark (PostgreSQL on 127.0.0.1:5432; writes BENCHMARK.md), then bench-roster"
	@echo "make bench-roster      the roster preview of 50,000 users and 500,000 enrollments (bench/roster-results.json)"
	@echo "make clean             remove $(VENV), db.sqlite3, staticfiles and test-artifacts"
	@echo ""
	@echo "Variables: HOST=$(HOST) PORT=$(PORT) (where demo and serve listen, e.g. make demo PORT=18432),"
	@echo "TEST_WORKERS=$(TEST_WORKERS) (0: one process), PYTEST_ARGS=\"tests/api -x\", SCALES=\"$(SCALES)\" and BENCH_ARGS for bench."

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=..."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

# The translations (locale/*/LC_MESSAGES/django.po) compiled into the .mo files Django reads, with
# polib: no GNU gettext needed (docs/translations.md). Quick, so every install does it.
install: $(VENV)/.installed
	DEBUG=true $(PY) manage.py compile_translations

migrate: install
	DEBUG=true $(PY) manage.py migrate --noinput

# The web server and, beside it, the background worker (roster uploads and emails run there);
# stopping the server (Ctrl-C) stops the worker too.
SERVE_WITH_WORKER = DEBUG=true $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

DEMO_MAIL = EMAIL_URL="smtp://127.0.0.1:$(MAIL_PORT)?tls=false" SITE_URL=$(URL)

# The demo also runs a mail catcher (docs/notifications.md): the emails the worker sends are
# printed in this terminal and saved in test-artifacts/mail/.
demo: install
	DEBUG=true $(DEMO_MAIL) $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo --reset --url $(URL)
	trap 'kill 0' EXIT; \
	DEBUG=true $(PY) manage.py mail_catcher --port $(MAIL_PORT) & \
	DEBUG=true $(DEMO_MAIL) $(PY) manage.py db_worker --interval 5 --no-reload & \
	DEBUG=true $(DEMO_MAIL) $(PY) manage.py runserver $(HOST):$(PORT)

serve: install
	DEBUG=true $(PY) manage.py migrate --noinput
	$(SERVE_WITH_WORKER)

test: install
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-migrations
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Every migration reversible: up, every app down to zero, up again, on a throwaway SQLite file
# (and a scratch PostgreSQL database when DATABASE_URL is PostgreSQL).
check-migrations: install
	$(PY) .ci/check_migrations.py

test-fast: install
	$(VENV)/bin/pytest -n $(TEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmark: builds its own databases on the PostgreSQL server at 127.0.0.1:5432,
# serves the app with gunicorn, writes BENCHMARK.md and bench/results.json (see docs/benchmark.md).
# Then the roster import's preview of 50,000 users and 500,000 enrollments (bench/roster.py;
# writes bench/roster-results.json); `make bench-roster` runs only that.
bench: install
	$(PY) -m bench.run --scales "$(SCALES)" $(BENCH_ARGS)
	$(PY) -m bench.roster $(ROSTER_ARGS)

bench-roster: install
	$(PY) -m bench.roster $(ROSTER_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
