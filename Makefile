# coachprog: the two commands a newcomer needs are `make demo` and `make test`.
# Everything runs from the project's own virtualenv; nothing needs activating.

VENV ?= .venv
PYTHON := $(VENV)/bin/python
# The stamp records that the venv holds the current requirements, so the install
# step is skipped until requirements*.txt change.
STAMP := $(VENV)/.requirements-installed
SYSTEM_PYTHON ?= $(shell command -v python3.11 || command -v python3)

# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k cohorts -x"`.
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv demo run test lint worker beat clean

help:
	@echo "make demo    create the venv, load demo data and serve http://127.0.0.1:8000 (DEBUG=true)"
	@echo "make test    lint, format check, system checks, migrations check and the whole test suite"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make run     serve http://127.0.0.1:8000 without loading demo data"
	@echo "make worker  a Celery worker (needs REDIS_URL)"
	@echo "make beat    the Celery beat scheduler (needs REDIS_URL; run exactly one)"
	@echo "make clean   remove the venv, caches and collected static files (keeps db.sqlite3)"

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PYTHON) || { \
		test -n "$(SYSTEM_PYTHON)" || { echo "Python 3.11 (or python3) is needed to create $(VENV)." >&2; exit 1; }; \
		echo "Creating $(VENV) with $(SYSTEM_PYTHON)"; \
		$(SYSTEM_PYTHON) -m venv $(VENV); \
	}
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(STAMP)

demo: $(STAMP)
	DEBUG=true $(PYTHON) manage.py migrate --noinput
	DEBUG=true $(PYTHON) manage.py demo_data
	DEBUG=true $(PYTHON) manage.py runserver 127.0.0.1:8000

# run, worker and beat default to DEBUG=true for local use; export DEBUG=false
# (and a SECRET_KEY) to try production settings.
run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(PYTHON) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PYTHON) manage.py runserver 127.0.0.1:8000

# Runs with whatever DATABASE_URL and REDIS_URL the environment has: SQLite and
# no Redis when they are unset (service tests then skip with a reason).
# pytest-xdist is installed but not used: on 2 cores it was no faster (timings in docs/operations.md).
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PYTHON) manage.py check
	$(PYTHON) manage.py makemigrations --check --dry-run
	$(PYTHON) -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

worker: $(STAMP)
	DEBUG=$${DEBUG:-true} $(VENV)/bin/celery -A coachprog worker --loglevel INFO

# The schedule file only records when each task last ran; keep it out of the source tree.
beat: $(STAMP)
	DEBUG=$${DEBUG:-true} $(VENV)/bin/celery -A coachprog beat --loglevel INFO \
		--schedule $(VENV)/celerybeat-schedule

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
