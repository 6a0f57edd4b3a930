# satisfaction — every target sets up what it needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SURVEY ?= demo
# small matrices on 2 cores: threaded BLAS only adds contention (measured ~2x slower tests)
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.DEFAULT_GOAL := help
.PHONY: help demo test lint lab bench clean-outputs

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP) ## build the demo survey, clean it, run every report; prints the index path
	$(BIN)/satisfaction demo

test: $(STAMP) ## run the whole test suite
	$(BIN)/python -m pytest

lint: $(STAMP) ## ruff over the package, tests and benchmarks; the import contract
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

# `make lab PORT=9000`, `make lab HEADLESS=1` (no browser: a server, e.g. on a remote
# machine or in a container), `make lab ROOT=1` (allowed to run as root, e.g. in Docker)
PORT ?= 8888
HEADLESS ?=
ROOT ?=
LAB_FLAGS = --notebook-dir=notebooks --port=$(PORT) \
	$(if $(HEADLESS),--no-browser --ip=0.0.0.0) $(if $(ROOT),--allow-root)

lab: $(STAMP) ## JupyterLab on notebooks/ with the `satisfaction` kernel (PORT=, HEADLESS=1, ROOT=1)
	$(BIN)/python -m ipykernel install --sys-prefix --name satisfaction --display-name "satisfaction"
	$(BIN)/jupyter lab $(LAB_FLAGS)

bench: $(STAMP) ## run the benchmarks and print their figures
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean-outputs: ## remove everything generated under outputs/
	find outputs -mindepth 1 ! -name .gitkeep ! -name README.md -exec rm -rf {} +
