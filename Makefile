# The README's two commands: `make demo` and `make test`. Everything installs from nothing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit system-deps bench bench-quick bench-scan bench-kafka bench-gcp bench-gke bench-mysql bench-daemon fuzz-long clean

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

## Every benchmark of docs/benchmarks.md at full size (hours: checkov alone takes most of an hour).
bench: bench-scan bench-kafka bench-gcp bench-gke bench-mysql bench-daemon

## The same benchmarks at smoke size (minutes), to check they run; figures are not comparable.
bench-quick: system-deps $(STAMP)
	$(BIN)/python bench/scan_vs_checkov.py --quick
	$(BIN)/python bench/kafka_lag.py --groups 50 --runs 2 --no-write
	BENCH_NO_WRITE=1 $(BIN)/python bench/gcp_collect.py 1
	$(BIN)/python bench/gke_collect.py --runs 1 --pods 2000 --deployments 500
	BENCH_NO_WRITE=1 $(BIN)/python bench/mysql_vs_mysqld_exporter.py 3
	$(BIN)/python bench/daemon_scrape.py --findings 1000 --scrapes 5
	$(BIN)/python bench/daemon_soak.py --cycles 20

bench-scan: $(STAMP)
	$(BIN)/python bench/scan_vs_checkov.py

bench-kafka: $(STAMP)
	$(BIN)/python bench/kafka_lag.py

bench-gcp: $(STAMP)
	$(BIN)/python bench/gcp_collect.py

bench-gke: $(STAMP)
	$(BIN)/python bench/gke_collect.py

bench-mysql: system-deps $(STAMP)
	$(BIN)/python bench/mysql_vs_mysqld_exporter.py

bench-daemon: $(STAMP)
	$(BIN)/python bench/daemon_scrape.py
	$(BIN)/python bench/daemon_soak.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
