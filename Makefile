# revict -- two commands: `make demo` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo
DEMO_VICTIMS ?= 15000

.PHONY: install install-browser demo test test-fast lint typecheck schemas reference bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)  ## create .venv/ and install revict (editable) with dev tools

install-browser:  ## Debian chromium for the browser test (needs root or sudo)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver)

demo: install  ## synthetic data -> the whole pipeline; prints where results are
	$(BIN)/revict synth --out $(DEMO_DIR)/data --victims $(DEMO_VICTIMS) --seed 20211207
	$(BIN)/revict run cohorts/nr-seven-year.yaml --schema schemas/nl-trafficking.yaml --data $(DEMO_DIR)/data --out $(DEMO_DIR)/out --spec reports/policy-brief.yaml --lang nl
	$(BIN)/revict report cohorts/nr-seven-year.yaml --schema schemas/nl-trafficking.yaml --data $(DEMO_DIR)/data --results $(DEMO_DIR)/out --out $(DEMO_DIR)/out/report-en.html --spec reports/full.yaml --lang en

test: install install-browser  ## the whole test suite
	$(BIN)/python -m pytest

test-fast: install  ## everything but slow and browser tests
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: install
	$(BIN)/ruff check revict tests bench
	$(BIN)/ruff format --check revict tests bench

typecheck: install
	$(BIN)/mypy

schemas: install  ## regenerate schemas/json/*.json from the models
	$(BIN)/revict schema export

reference:  ## regenerate tests/reference/reference.json with R (needs r-base-core r-cran-survival r-cran-cmprsk)
	cd tests/reference && Rscript r_reference.R

bench: install  ## benchmarks; figures into bench/results/*.json
	$(BIN)/python -m bench.run $(BENCH)

clean:
	rm -rf $(DEMO_DIR) .pytest_cache bench/results/tmp
