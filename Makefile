# The course's commands; `make help` lists them. Quick start: `make book` builds the site,
# `make test` runs every test. Both create the virtual environment .venv and install the
# pinned requirements first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
JB := $(VENV)/bin/jupyter-book
RUFF := $(VENV)/bin/ruff
INSTALLED := $(VENV)/.installed
NOTEBOOKS = $(shell test -x $(PY) && $(PY) tools/toc_notebooks.py)
# What `make lint` checks: the package, the tests, the tools, the benchmarks, the Sphinx
# extension and the chapters (ruff reads notebooks too).
LINTED := dlcourse tests tools benchmarks _ext chapters
# The scale `make chapter` and `make notebooks` execute at; stored notebooks are quick.
# Only the command line changes it (`make chapter CHAPTER=... SCALE=full`), not the shell.
SCALE := quick
# pytest-xdist workers for the tests: one per core of the 2-core machine the course
# targets. Notebooks and the site's test files go whole to one worker (--dist loadfile).
TEST_WORKERS ?= 2
# TensorFlow writes C++ log lines to stderr on import; they are noise for learners and
# break nbval.
export TF_CPP_MIN_LOG_LEVEL ?= 3
export TF_ENABLE_ONEDNN_OPTS ?= 0
export PYTHONHASHSEED ?= 0

.PHONY: help setup web-assets book book-only test test-unit test-notebooks test-site \
	serve lab chapter notebooks bench bench-full stress results lint format grade student \
	binder-check clean

help:
	@echo "make help           this list"
	@echo "make book           set up .venv, build the site into _build/html (strict)"
	@echo "make book-only      build the site without set-up or web assets"
	@echo "make test           build, then every test: lint, unit, notebooks (nbval), site"
	@echo "make test-unit      the unit tests (tests/, without the browser test)"
	@echo "make test-notebooks nbval: re-run every notebook, compare the checked outputs"
	@echo "make test-site      the built site, and a chapter in JupyterLab, in headless Chromium"
	@echo "make lint           ruff format --check and ruff check over $(LINTED)"
	@echo "make format         ruff format and ruff check --fix over the same"
	@echo "make serve          serve _build/html on http://localhost:8000"
	@echo "make lab            JupyterLab on the course"
	@echo "make chapter CHAPTER=chapters/NN_name.ipynb"
	@echo "                    re-execute one chapter in place (SCALE=$(SCALE), widgets saved)"
	@echo "make notebooks      re-execute every chapter, in table-of-contents order"
	@echo "make bench          wall time and peak memory of every chapter -> benchmarks/results.md"
	@echo "make stress         execute widget cells and chapters many times, count hangs"
	@echo "make bench-full     the same at the full scale -> benchmarks/full.md (slow)"
	@echo "make results        regenerate results/*.json with results/make_*.py (slow),"
	@echo "                    timed into benchmarks/make_results.md; SCRIPTS=... for some"
	@echo "make grade SUBMISSIONS=folder"
	@echo "                    grade learners' notebooks with the course's checkers"
	@echo "make student        the student edition (no solutions) and its site in _build/student"
	@echo "make binder-check   check that Binder builds the course cleanly"
	@echo "make setup          create .venv and install the pinned requirements"
	@echo "make web-assets     fetch the site's offline assets (part of make book)"
	@echo "make clean          remove _build"

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
	$(PY) -m pytest tests -m "not browser" -p no:cacheprovider -n $(TEST_WORKERS)

# nbval compares against the stored outputs, which are at the quick scale.
test-notebooks: setup
	DLCOURSE_SCALE=quick $(PY) -m pytest --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	    -p no:cacheprovider -o addopts="" -n $(TEST_WORKERS) --dist loadfile $(NOTEBOOKS)

test-site: setup
	bash tools/ensure_chromium.sh
	$(PY) -m pytest tests/test_site.py tests/test_site_phone.py tests/test_jupyterlab.py \
	    -m browser -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

test: book
	$(MAKE) lint
	$(MAKE) test-unit
	$(MAKE) test-notebooks
	$(MAKE) test-site

serve: book
	$(PY) -m http.server --directory _build/html 8000

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=.

chapter: setup
	@test -n "$(CHAPTER)" || { echo "usage: make chapter CHAPTER=chapters/NN_name.ipynb"; exit 2; }
	$(PY) tools/execute_notebooks.py --scale $(SCALE) $(CHAPTER)

notebooks: setup
	$(PY) tools/execute_notebooks.py --scale $(SCALE) $(NOTEBOOKS)

bench: setup
	$(PY) benchmarks/run.py $(NOTEBOOKS)

# Every notebook at the full scale (at most 10 minutes each) -> benchmarks/full.md.
bench-full: setup
	$(PY) benchmarks/run.py --scale full $(NOTEBOOKS)

stress: setup
	$(PY) tools/stress_notebooks.py --output benchmarks/stress.md $(NOTEBOOKS)

# Every results/make_*.py, in name order (or SCRIPTS="results/make_x.py ..."), each timed
# into benchmarks/make_results.md.
results: setup
	$(PY) tools/run_results.py $(SCRIPTS)

lint: setup
	$(RUFF) format --check $(LINTED)
	$(RUFF) check $(LINTED)

format: setup
	$(RUFF) format $(LINTED)
	$(RUFF) check --fix $(LINTED)

grade: setup
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder-of-notebooks"; exit 2; }
	$(PY) tools/grade_notebooks.py $(SUBMISSIONS)

student: web-assets
	$(PY) tools/student_edition.py --site

binder-check: setup
	$(PY) tools/check_binder.py

clean:
	rm -rf _build
