# Set-up and the two everyday commands. `make run` and `make test` create the virtual environment on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/negsim: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "negsim needs Python 3.12 or newer (found " + sys.version.split()[0] + "); with pyenv, the .python-version file here selects 3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

run: $(BIN)/negsim  ## the default scenario end to end: tables, summary, config and plot under outputs/
	$(BIN)/negsim run

test: $(BIN)/negsim  ## the test suite
	$(BIN)/pytest -q

lint: $(BIN)/negsim
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(BIN)/negsim
	$(BIN)/python benchmarks/runs_per_second.py
	$(BIN)/python benchmarks/scaling.py

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache .hypothesis
