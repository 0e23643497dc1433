# Entry points for people and CI. Needs only python3.11 and make; everything else goes into .venv.
#   make run     the site on http://127.0.0.1:8000 with a Celery worker and beat (HOST/PORT to change it)
#   make test    the whole test suite (respects DATABASE_URL and REDIS_URL)
#   make lint    ruff, and lint-imports (the import layering in pyproject.toml)
#   make smoke   a newcomer's `make run` in a fresh clone of HEAD, driven through login and a worker ping
#   make clean   remove var/ and .venv
#   make bench   server-time benchmarks on a throwaway database (results in bench/results/)
#   make messages  the translation catalogues in locale/ from the marked strings (needs GNU gettext)

PYTHON ?= python3.11
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Stamps record which lock file was installed last; pip runs again only when that file is newer.
RUNTIME_STAMP := $(VENV)/.requirements.lock.installed
DEV_STAMP := $(VENV)/.requirements-dev.lock.installed
NPM_STAMP := $(if $(wildcard package.json),node_modules/.package.json.installed)

.PHONY: run test lint smoke clean bench messages

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
	$(VENV_PYTHON) bench/history.py
	$(VENV_PYTHON) bench/calendar_sync.py
	$(VENV_PYTHON) bench/self_schedule.py
	$(VENV_PYTHON) bench/self_schedule_slots.py
	$(VENV_PYTHON) bench/rls.py

# Languages besides English (the language of the code) that have a catalogue in locale/<lang>/LC_MESSAGES/.
TRANSLATED_LANGUAGES := de
# What makemessages must not read: no marked strings of the product live there.
MESSAGES_IGNORE := node_modules var static tests bench test-results

# Every marked string into locale/<lang>/LC_MESSAGES/django.po (new ones untranslated, changed ones marked fuzzy,
# gone ones dropped; file names without line numbers, so that moving code does not churn the catalogue), then every
# .po under locale/ (locale/allauth/ too, which is written by hand) compiled into the .mo beside it, which is
# committed: `make run` needs no gettext. Translate what the statistics call untranslated or fuzzy (remove the fuzzy
# flag once checked), then run it again. tests/test_translations.py runs this same target on a copy of the tree and
# fails while anything is left to do.
messages: $(RUNTIME_STAMP)
	$(VENV_PYTHON) manage.py makemessages --no-obsolete --add-location=file \
		$(addprefix --locale=,$(TRANSLATED_LANGUAGES)) $(addprefix --ignore=,$(MESSAGES_IGNORE))
	for po in $$(find locale -name django.po | sort); do \
		printf '%s: ' "$$po"; msgfmt --check-format --statistics -o "$${po%.po}.mo" "$$po" || exit 1; \
	done

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
