# The README's two commands: `make demo` and `make test`. Everything installs from nothing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Scan the bundled example data platform and print its findings (report only, never fails).
demo: $(STAMP)
	$(BIN)/auditor scan --demo --fail-on none

## Lint, type-check and run the whole suite.
test: system-deps $(STAMP) lint typecheck unit

system-deps:
	bash .ci/system-deps

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/scan_vs_checkov.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
