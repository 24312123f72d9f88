# Set-up and the two everyday commands. `make run` and `make test` create the virtual environment on first use:
# `run` installs the package alone, `test` adds the test tools and the optional launchers the tests exercise,
# `dashboard` the package and its viz extra.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEST_EXTRAS := dev,parallel,slurm,ray,notebooks,viz,discover,calibrate

.PHONY: run test test-fast lint bench dashboard clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "negsim needs Python 3.12 or newer (found " + sys.version.split()[0] + "); with pyenv, the .python-version file here selects 3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.viz: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[viz]"
	@touch $@

$(VENV)/.test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[$(TEST_EXTRAS)]"
	@touch $@

run: $(VENV)/.run  ## the default scenario end to end: tables, summary, config and plot under outputs/
	$(BIN)/negsim run

# pytest-xdist: one test process per core; work stealing, so that one long test never holds up the rest.
PARALLEL := -n auto --dist worksteal

test: $(VENV)/.test  ## the whole test suite, then the property tests once more on new random examples
	$(BIN)/pytest -q $(PARALLEL)
	HYPOTHESIS_PROFILE=explore $(BIN)/pytest -q $(PARALLEL) -m property

test-fast: $(VENV)/.test  ## the tests not marked slow (about 3 minutes on 2 cores): no notebooks, browser or workers
	$(BIN)/pytest -q $(PARALLEL) -m "not slow"

dashboard: $(VENV)/.viz  ## the interactive dashboard on http://localhost:8765/
	$(BIN)/negsim dashboard

lint: $(VENV)/.test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(VENV)/.test
	$(BIN)/python benchmarks/runs_per_second.py
	$(BIN)/python benchmarks/scaling.py
	$(BIN)/python benchmarks/sweep.py throughput
	$(BIN)/python benchmarks/sweep.py memory
	$(BIN)/python benchmarks/sensitivity.py

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache .hypothesis
