# Newsdesk: `make run` serves a working site with sample posts; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The sample site publishes in English and Chinese (NEWSDESK_LANGUAGES=en make run
# for English only).
NEWSDESK_LANGUAGES ?= en,zh-hans
DEV_ENV := DJANGO_DEBUG=1 NEWSDESK_LANGUAGES=$(NEWSDESK_LANGUAGES)

.PHONY: run setup messages test lint typecheck format clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamps record that the current pyproject.toml is installed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

setup: $(VENV)/.installed messages
	mkdir -p var/media
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_samples

# The public site's interface strings: locale/*/LC_MESSAGES/django.po, compiled
# to the .mo files beside them. The .mo files are committed, so nothing needs
# GNU gettext to run; with msgfmt present they are compiled afresh.
messages:
	@if command -v msgfmt >/dev/null 2>&1; then \
		for po in locale/*/LC_MESSAGES/django.po; do \
			msgfmt --check -o "$${po%.po}.mo" "$$po" || exit 1; \
		done; \
	else echo "msgfmt not found: using the committed locale/*.mo"; fi

# A task worker runs beside the server and goes when the server does, however
# that ends (Ctrl-C, an error, a kill of make).
# The address is printed last, after setup's output, from the same HOST and
# PORT that runserver is given (`PORT=8123 make run`).
run: setup
	@echo; echo "Newsdesk is served at http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"; echo
	$(DEV_ENV) $(BIN)/python manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy with django-stubs on the modules whose contracts matter most (pyproject.toml).
typecheck: $(VENV)/.installed-dev
	$(DEV_ENV) $(BIN)/mypy

# The docs' screenshots, made by the browser tests and copied into docs/.
screenshots: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/test_desk_browser.py -q
	cp var/test-artifacts/desk/dashboard.png docs/screenshots/desk-dashboard.png
	cp var/test-artifacts/desk/editing.png docs/screenshots/desk-editing.png
	$(BIN)/python -m pytest tests/test_public_browser.py -q -k "works_for_readers and 1280 and (home or article)"
	cp var/test-artifacts/public/home-1280.png docs/screenshots/public-home.png
	cp var/test-artifacts/public/article-1280.png docs/screenshots/public-article.png

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var
