# Two commands: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench compile openapi clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing ddas and its development tools into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/python -m pip install --upgrade pip > $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	@$(BIN)/python -m pip install -e '.[dev]' >> $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m mock_server.demo

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check client mock_server tests benchmarks
	$(BIN)/ruff format --check client mock_server tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

# Optional: the rules engine compiled with mypyc (pure Python stays the reference and the fallback).
compile: $(STAMP)
	$(BIN)/python -m client.devtools.compile

bench: $(STAMP)
	-$(BIN)/python -m client.devtools.compile
	$(BIN)/python benchmarks/run.py

openapi: $(STAMP)
	$(BIN)/python -m client.schema --write
	$(BIN)/python -m mock_server.openapi_export
	$(BIN)/python -m client.provider.openapi_export --write

clean:
	rm -rf client/validation/rules/_compiled
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
