# keino-metrics: `make report` regenerates the annual report, `make test` runs every test.
# Both create .venv from the committed lock when it is missing (python3 -m venv + pip).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-from-lock
YEAR   ?=
SEED   ?= 2024
LANGUAGE ?= fi sv en
PYTEST_WORKERS ?= 2
# real data: DATA=ted-fi (TED, Finnish buyers) or DATA=hilma-fi (Hilma, needs HILMA_API_KEY)
DATA   ?=
FROM   ?= $(if $(YEAR),$(shell expr $(YEAR) - 1)-01-01,2023-01-01)
TO     ?= $(if $(YEAR),$(YEAR)-12-31,2024-12-31)
FETCH_ARGS ?=
SOURCE_ted-fi    := ted
SOURCE_hilma-fi  := hilma
FETCH_ted-fi     := ted --country FIN
FETCH_hilma-fi   := hilma

.DEFAULT_GOAL := help
.PHONY: help install report site fetch test test-unit test-notebooks lint format lock bless bench docs clean

help: ## Show this help
	@echo "keino-metrics make targets:"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'
	@echo "Variables: YEAR=2022 (report year), SEED=2024, LANGUAGE='fi sv en'"
	@echo "Real data: DATA=ted-fi or DATA=hilma-fi (FROM=, TO= publication dates; FETCH_ARGS=)"

$(STAMP): requirements/lock.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP) ## Create .venv from requirements/lock.txt and install the package

report: $(STAMP) ## Regenerate the annual report into reports/<year>/ (YEAR=, SEED=, LANGUAGE=; DATA=ted-fi for real data)
ifeq ($(DATA),)
	$(PY) -m keino_metrics report $(if $(YEAR),--year $(YEAR)) --seed $(SEED) --language $(LANGUAGE)
else
	$(MAKE) --no-print-directory fetch DATA=$(DATA) FROM=$(FROM) TO=$(TO)
	$(PY) -m keino_metrics ingest data/raw/$(SOURCE_$(DATA)) --out data/processed/$(DATA) --overwrite
	# real sources hold no programme participation: the impact report needs it
	$(PY) -m keino_metrics report --data-dir data/processed/$(DATA) --no-impact \
	  $(if $(YEAR),--year $(YEAR)) --seed $(SEED) --language $(LANGUAGE)
endif

site: $(STAMP) ## Build the static website into site/ (YEAR=, SEED=; DATA_DIR= for other data)
	$(PY) -m keino_metrics site --out site $(if $(YEAR),--year $(YEAR)) --seed $(SEED) \
	  --language fi sv en $(if $(DATA_DIR),--data-dir $(DATA_DIR))

fetch: $(STAMP) ## Download real notices into data/raw/<source>/ (DATA=ted-fi or hilma-fi, FROM=, TO=)
	@test -n "$(FETCH_$(DATA))" || { echo "DATA must be ted-fi or hilma-fi"; exit 2; }
	# exit status 3: some notices failed (listed in the manifest); the rest is usable
	$(PY) -m keino_metrics fetch $(FETCH_$(DATA)) --from $(FROM) --to $(TO) \
	  --out data/raw/$(SOURCE_$(DATA)) $(FETCH_ARGS) || test $$? -eq 3

test: $(STAMP) ## Run the whole test suite: unit tests, then strict nbval on committed notebooks
	$(MAKE) --no-print-directory test-unit test-notebooks

test-unit: $(STAMP) ## Unit and integration tests (tests/)
	$(PY) -m pytest -n $(PYTEST_WORKERS) tests

test-notebooks: $(STAMP) ## Strict nbval on the committed notebooks
	$(PY) -m pytest -p no:xdist --nbval --nbval-current-env \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks/

lint: $(STAMP) ## ruff on the package, tests, benchmarks and validation scripts
	$(PY) -m ruff check keino_metrics tests benchmarks validation

format: $(STAMP) ## ruff format
	$(PY) -m ruff format keino_metrics tests benchmarks validation

lock: ## Re-resolve requirements/lock.txt from pyproject.toml (needs uv)
	$(PY) -m uv pip compile pyproject.toml --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --extra notebooks --extra models --extra spark \
	  --extra test --extra dev --no-header --no-annotate -o requirements/lock.txt
	$(PY) requirements/environment_yml.py > environment.yml

bless: $(STAMP) ## Re-execute the committed notebooks with default parameters and normalise them
	$(PY) -m keino_metrics.report.bless

bench: $(STAMP) ## Run the benchmarks (long)
	$(PY) benchmarks/bench_ingest.py --n 20000
	$(PY) benchmarks/bench_indicators.py --lots 1000000
	$(PY) benchmarks/bench_site.py

docs: $(STAMP) ## Regenerate docs/data-model.md from the data model
	$(PY) -m keino_metrics.datamodel > docs/data-model.md

clean: ## Remove generated data, reports and caches (keeps .venv)
	rm -rf data/raw/demo data/processed/*.parquet reports/20* .pytest_cache
