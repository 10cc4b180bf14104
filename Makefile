# Two commands: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest pytest-reference bench rules compile openapi clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing ddas and its development tools into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/python -m pip install --upgrade pip > $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	@$(BIN)/python -m pip install -e '.[dev]' >> $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	touch $(STAMP)

# The rules engine compiled with mypyc is the default build; pure Python stays the reference and the
# fallback. Without a C compiler the rules stay pure Python (same results, slower); in CI that is an error.
rules: $(STAMP)
ifdef CI
	$(BIN)/python -m client.devtools.compile --if-stale
else
	@$(BIN)/python -m client.devtools.compile --if-stale \
		|| echo "make: the rules stay pure Python (same results, slower; see README, Performance)"
endif

demo: rules
	$(BIN)/python -m mock_server.demo

test: $(STAMP) lint typecheck rules pytest pytest-reference

lint: $(STAMP)
	$(BIN)/ruff check client mock_server tests benchmarks
	$(BIN)/ruff format --check client mock_server tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

# The tests that exercise the rules engine, once more on the pure-Python rules (the reference).
REFERENCE_TESTS := tests/test_rules_*.py tests/test_validation_*.py tests/test_formats.py \
	tests/test_model_*.py tests/test_planning_*.py tests/test_report_*.py
pytest-reference: $(STAMP)
	DDAS_PURE_PYTHON=1 $(BIN)/pytest -q -p no:cacheprovider $(REFERENCE_TESTS)

# Rebuild the compiled rules even when a fresh build exists (`rules` builds only when stale).
compile: $(STAMP)
	$(BIN)/python -m client.devtools.compile

bench: rules
	$(BIN)/python benchmarks/run.py

openapi: $(STAMP)
	$(BIN)/python -m client.schema --write
	$(BIN)/python -m mock_server.openapi_export
	$(BIN)/python -m client.provider.openapi_export --write

clean:
	rm -rf client/validation/rules/_compiled
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
