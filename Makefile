# Loket: `make demo` runs the platform with demo data; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml | sha1sum | cut -c1-12)
# Two install levels: running the platform needs only the runtime packages; the
# test toolchain (browsers' driver, schemathesis, mypy, pm4py...) comes with `make test`.
RUNTIME := $(VENV)/.runtime-$(HASH)
STAMP := $(VENV)/.installed-$(HASH)
PYTEST_ARGS ?=
# Where `make demo` listens: make demo BIND=127.0.0.1:8080
BIND ?= 127.0.0.1:8000

.PHONY: demo test lint typecheck test-deps test-sqlite test-postgres bench clean lock audit

$(RUNTIME): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.runtime-*
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

demo: $(RUNTIME)
	scripts/ensure-pango
	$(BIN)/loket demo --bind $(BIND)

# Style, the import contracts of docs/architecture.md, and no model change without its migration.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache
	env -u DATABASE_URL $(BIN)/django-admin makemigrations --check --dry-run --settings=loket.settings

typecheck: $(STAMP)
	$(BIN)/mypy

# Pango (WeasyPrint), Chromium, axe-core and SoftHSM2 once, before the two suites start side by side.
test-deps: $(STAMP)
	scripts/ensure-pango
	scripts/ensure-chromium
	scripts/ensure-signing-tools
	scripts/ensure-axe >/dev/null

test-sqlite: $(STAMP) test-deps
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(STAMP) test-deps
	scripts/with-postgres $(BIN)/pytest $(PYTEST_ARGS)

# The four checks run side by side (two cores: the suites mostly wait on the
# database and the browser); each one's output is printed whole when it ends.
test: $(STAMP) test-deps
	$(MAKE) --no-print-directory -j4 --output-sync=target lint typecheck test-sqlite test-postgres

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python bench/run.py

# Production installs: pip install --require-hashes -r requirements.lock (docs/security.md).
AUDIT_TOOLS := $(VENV)/.audit-tools-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

$(AUDIT_TOOLS): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[audit]"
	touch $(AUDIT_TOOLS)

lock: $(AUDIT_TOOLS)
	$(BIN)/pip-compile --quiet --allow-unsafe --generate-hashes --no-emit-index-url \
		--no-emit-find-links --strip-extras --output-file=requirements.lock pyproject.toml

# Known vulnerabilities in the locked production requirements (needs the network to
# reach the advisory database; offline it says it could not reach it). Not part of `make test`.
audit: $(AUDIT_TOOLS)
	$(BIN)/pip-audit --requirement requirements.lock --require-hashes --disable-pip \
		--progress-spinner off

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
