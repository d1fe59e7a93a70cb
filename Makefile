# pdswap — see README.md. Two commands on a fresh machine: `make sim` and `make test`.
SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
JOBS   ?= auto
export OPENBLAS_NUM_THREADS := 1
export PYTHONPATH := $(CURDIR):$(CURDIR)/models:$(CURDIR)/sw

MODULE   ?=
SEED     ?=
TESTCASE ?=
WAVES    ?= 0
PARAMS   ?=
export WAVES SEED TESTCASE PARAMS

.PHONY: all sim test test-slow bench lint clean distclean venv check-tools help
.DEFAULT_GOAL := help

help:
	@echo "make sim                 end-to-end demo on the tiny model (main job)"
	@echo "make sim WEIGHTS=model.safetensors [CONFIG=config.json LAYERS=N MAX_CTX=N]  demo on checkpoint weights (docs/weights.md)"
	@echo "make sim MODULE=<block>  one block's cocotb testbench (WAVES=1 SEED=n TESTCASE=name PARAMS=\"K=V ..\")"
	@echo "make test                whole regression (pytest -n $(JOBS), JUnit in reports/junit/)"
	@echo "make test-slow           the long cases kept out of make test"
	@echo "make bench               figures -> reports/bench.json"
	@echo "make lint                verilator --lint-only -Wall + ruff"
	@echo "make clean               remove builds and reports (keeps .venv)"

$(VENV)/.stamp: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "pdswap: $(PYTHON) not found (Debian: apt-get install python3 python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "pdswap: python venv failed (Debian: apt-get install python3-venv)"; exit 1; }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

venv: $(VENV)/.stamp

check-tools:
	@scripts/check_tools.sh

sim: $(VENV)/.stamp check-tools
ifeq ($(strip $(MODULE)),)
	$(PY) scripts/demo.py
else
	$(PY) -m tb.common.sim $(MODULE)
endif

test: $(VENV)/.stamp check-tools
	@mkdir -p reports/junit
	$(PY) -m pytest -n $(JOBS) -m "not slow" --junitxml=reports/junit/pytest.xml $(PYTEST_ARGS)

test-slow: $(VENV)/.stamp check-tools
	@mkdir -p reports/junit
	$(PY) -m pytest -n $(JOBS) -m slow --junitxml=reports/junit/pytest-slow.xml $(PYTEST_ARGS)

bench: $(VENV)/.stamp check-tools
	@mkdir -p reports
	$(PY) scripts/bench.py --out reports/bench.json

lint: $(VENV)/.stamp check-tools
	scripts/lint_rtl.sh
	$(VENV)/bin/ruff check models sw tb tests scripts

clean:
	rm -rf sim_build reports .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
