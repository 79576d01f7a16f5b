# The two commands of the README: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
LANGS := fr nl de en
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup venv assets messages system-deps lint format checks makemessages catalogue-check celery beat bench clean

# Links in the e-mails must point to where the portal really runs.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: setup
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "Portail : http://$(HOST):$(PORT)/  (courriels écrits dans var/mail/)"
	@# No Celery beat in the embedded setup: the periodic jobs run beside the server and stop with it.
	DEBUG=1 $(PY) manage.py run_periodic_tasks & jobs=$$!; trap 'kill $$jobs 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(VENV)/bin/pytest

setup: venv assets messages

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

assets: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Compiled catalogues are build output: they are made from locale/*.po on every machine.
messages: venv
	@command -v msgfmt >/dev/null || $(MAKE) system-deps
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

# WeasyPrint's libraries, gettext and Chromium for the browser tests (Debian; needs root).
system-deps:
	./.ci/system-deps.sh

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

makemessages: venv
	DEBUG=1 $(PY) manage.py makemessages $(addprefix -l ,$(LANGS)) --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var --ignore=staticfiles
	DEBUG=1 $(PY) manage.py makemessages -d djangojs $(addprefix -l ,$(LANGS)) --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var --ignore=staticfiles

catalogue-check:
	./.ci/check-catalogues.sh

checks: lint
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	./.ci/check-deploy.sh

# The benchmark of docs/performance.md, against PostgreSQL and Redis (BENCH_DB_1X, BENCH_DB_10X, BENCH_REDIS).
# The two datasets are seeded on the first run only; BENCH_ARGS passes options, e.g. BENCH_ARGS="--skip-exports".
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

celery:
	$(VENV)/bin/celery -A asetw worker --loglevel=INFO

beat:
	$(VENV)/bin/celery -A asetw beat --loglevel=INFO

clean:
	rm -rf $(VENV) node_modules var staticfiles .pytest_cache
