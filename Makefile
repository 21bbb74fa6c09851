# The two commands of a fresh machine: `make demo` (set up, then run the mock on the bundled demo
# project) and `make test` (set up, then run every test). Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint setup e2e-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m amplify_local.demo

lint: $(STAMP)
	$(BIN)/ruff check amplify_local tests bench

test: $(STAMP) lint
	$(BIN)/python -m pytest

# JavaScript clients for the e2e tests: every e2e folder with a package.json (CI runs this before `test`).
e2e-deps:
	@for folder in e2e e2e/console; do \
		if [ -f $$folder/package.json ]; then \
			command -v npm >/dev/null || { echo "$$folder/package.json needs npm (Node 20)" >&2; exit 1; }; \
			npm ci --prefix $$folder --no-audit --no-fund --loglevel=error; \
		fi; \
	done
