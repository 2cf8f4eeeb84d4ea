# Tasks of the project. `make help` lists them. Tools run from $(VENV), README's .venv by
# default: `make test VENV=/path/to/venv` to use another.
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
SIZES ?= 100000,1000000

.PHONY: help install test quick lint types imports check snapshots-update bench docs ci

help:  ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

install:  ## the venv README describes (python3 -m venv .venv, pip install -e .[dev])
	python3 -m venv $(VENV) && $(BIN)/pip install -e '.[dev]'

test:  ## the whole suite, in parallel, as CI runs it
	$(PY) -m pytest -n auto

quick:  ## the suite without the slow 100 000-contact tests
	$(PY) -m pytest -n auto -m "not slow"

lint:  ## ruff
	$(BIN)/ruff check qualif_tui tests benchmarks scripts

types:  ## mypy strict: package, tests, benchmarks, scripts
	$(BIN)/mypy

imports:  ## the layers (import-linter contracts of pyproject.toml)
	$(BIN)/lint-imports

check: lint types imports  ## lint, types, layers, the generated docs and the catalogues, as CI
	$(PY) scripts/gen_docs.py --check
	$(PY) scripts/i18n.py check

i18n:  ## new marked strings into the catalogues (fill their msgstr), then compile them
	$(PY) scripts/i18n.py extract
	$(PY) scripts/i18n.py compile

snapshots-update:  ## rewrite the SVG snapshots after a deliberate change (then look at them)
	$(PY) -m pytest -n 0 tests/tui/test_snapshots.py tests/tui_agenda/test_agenda_snapshots.py --snapshot-update

bench:  ## benchmarks on generated files (SIZES=100000,1000000; README's Performance)
	$(PY) benchmarks/bench.py --sizes $(SIZES)

docs:  ## regenerate docs/cli.md (--help) and docs/query-language.md (the app's F1 text)
	$(PY) scripts/gen_docs.py

ci:  ## what CI runs, on this checkout (its own venv, outside the checkout)
	bash .ci/run
