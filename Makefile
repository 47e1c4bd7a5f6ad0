# make run: install, migrate, load the demo project, then serve as in production (Procfile, run by
# honcho: gunicorn on http://127.0.0.1:8000 and the background job worker; Ctrl+C stops both)
# make test: the test suite on $DATABASE_URL (SQLite when unset)
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: install run test bench bench-anchors screenshot

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/honcho start --port $(PORT)

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

screenshot: install  # every page (docs/screenshots/) and docs/workspace.png; pngquant shrinks them when installed
	$(PY) bench/screenshot.py

# Benchmarks need the local PostgreSQL; figures go to docs/benchmarks.md by hand.
bench: install
	$(PY) bench/api.py
	$(PY) bench/workspace.py

# Issue 13: our app and doccano 1.8.4 side by side on one workload (doccano's set-up: docs/benchmarks.md).
bench-anchors: install
	$(PY) bench/anchors.py $(BENCH_ARGS)
