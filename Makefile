# The course's commands. Quick start: `make book` builds the site, `make test` runs every test.
# Both create the virtual environment .venv and install the pinned requirements first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
JB := $(VENV)/bin/jupyter-book
INSTALLED := $(VENV)/.installed
NOTEBOOKS = $(shell test -x $(PY) && $(PY) tools/toc_notebooks.py)
# TensorFlow writes C++ log lines to stderr on import; they are noise for learners and break nbval.
export TF_CPP_MIN_LOG_LEVEL ?= 3
export TF_ENABLE_ONEDNN_OPTS ?= 0
export PYTHONHASHSEED ?= 0

.PHONY: help setup web-assets book book-only test test-unit test-notebooks test-site serve lab notebooks bench lint clean

help:
	@echo "make book      set up .venv, build the site into _build/html (strict: warnings are errors)"
	@echo "make test      set up, build, then run every test: lint, unit, notebooks (nbval), site in Chromium"
	@echo "make serve     serve _build/html on http://localhost:8000"
	@echo "make lab       JupyterLab on the course"
	@echo "make notebooks re-execute every notebook in the table of contents, widget state saved"
	@echo "make bench     time and measure the memory of every notebook -> benchmarks/results.md"

$(INSTALLED): requirements.txt requirements-dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 (or run make PYTHON=/path/to/python3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

setup: $(INSTALLED)

web-assets: setup
	$(PY) tools/fetch_web_assets.py

# The strict build: nitpicky, warnings are errors, every problem reported in one pass.
book-only:
	$(JB) build . -n -W --keep-going
	@echo "The site is in _build/html: open _build/html/index.html, or run 'make serve'."

book: web-assets
	$(MAKE) book-only

test-unit: setup
	$(PY) -m pytest tests -m "not browser" -p no:cacheprovider

test-notebooks: setup
	$(PY) -m pytest --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	    -p no:cacheprovider -o addopts="" $(NOTEBOOKS)

test-site: setup
	bash tools/ensure_chromium.sh
	$(PY) -m pytest tests/test_site.py -m browser -p no:cacheprovider

test: book
	$(MAKE) lint
	$(MAKE) test-unit
	$(MAKE) test-notebooks
	$(MAKE) test-site

serve: book
	$(PY) -m http.server --directory _build/html 8000

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=.

notebooks: setup
	$(PY) tools/execute_notebooks.py $(NOTEBOOKS)

bench: setup
	$(PY) benchmarks/run.py $(NOTEBOOKS)

lint: setup
	$(VENV)/bin/ruff check dlcourse tests tools benchmarks _ext

clean:
	rm -rf _build
