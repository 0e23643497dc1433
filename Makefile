# Entry points for people and CI. Needs only python3.11 and make; everything else goes into .venv.
#   make run     the site on http://127.0.0.1:8000 with a Celery worker and beat (HOST/PORT to change it)
#   make test    the whole test suite (respects DATABASE_URL and REDIS_URL)
#   make lint    ruff, and lint-imports (the import layering in pyproject.toml)
#   make smoke   a newcomer's `make run` in a fresh clone of HEAD, driven through login and a worker ping
#   make clean   remove var/ and .venv
#   make bench   server-time benchmarks on a throwaway database (results in bench/results/)

PYTHON ?= python3.11
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Stamps record which lock file was installed last; pip runs again only when that file is newer.
RUNTIME_STAMP := $(VENV)/.requirements.lock.installed
DEV_STAMP := $(VENV)/.requirements-dev.lock.installed
NPM_STAMP := $(if $(wildcard package.json),node_modules/.package.json.installed)

.PHONY: run test lint smoke clean bench

run: $(RUNTIME_STAMP)
	$(VENV_PYTHON) -m recruitee.devstack

# pytest's exit status passes through unchanged, so "no tests collected" (5) fails the target too.
test: $(DEV_STAMP) $(NPM_STAMP)
	$(VENV_PYTHON) -m pytest -p no:cacheprovider $(PYTEST_ARGS) tests

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

bench: $(DEV_STAMP)
	$(VENV_PYTHON) bench/machine.py
	$(VENV_PYTHON) bench/mailbox_sent.py
	$(VENV_PYTHON) bench/pages.py
	$(VENV_PYTHON) bench/calendar_sync.py
	$(VENV_PYTHON) bench/self_schedule.py
	$(VENV_PYTHON) bench/self_schedule_slots.py

# Plain python3.11 on purpose: the smoke test builds its own clone and .venv, as a newcomer would.
smoke:
	$(PYTHON) .ci/smoke.py

clean:
	rm -rf var $(VENV)

# A half-made .venv (say, Debian without python3.11-venv) is removed, so the next run starts over.
$(VENV_PYTHON):
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

$(RUNTIME_STAMP): requirements.lock | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install -r requirements.lock
	touch $@

$(DEV_STAMP): requirements-dev.lock | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install -r requirements-dev.lock
	touch $@

node_modules/.package.json.installed: package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci; else npm install; fi
	mkdir -p $(@D) && touch $@
