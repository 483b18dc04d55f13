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

## Start a live estate (MariaDB, tansu, Airflow 3, the bundled manifests and IAM policies) on
## 127.0.0.1, run the daemon over it and print what it finds; Ctrl-C stops everything. Without a
## terminal it runs 2 cycles and exits 0 (1 only if the demo is broken). docs/demo.md
demo: $(STAMP)
	$(BIN)/auditor demo

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
