# mailledger: the two commands a fresh machine needs are `make demo` and `make test`.
# Each does its own set-up: Debian packages (as root, via apt-get), then a virtualenv.

# The first interpreter with the email header fix (CVE-2024-6923); see scripts/find-python.sh.
PYTHON ?= $(shell sh scripts/find-python.sh)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck architecture pytest system-deps system-deps-rgw venv checkov clean bench

demo: system-deps venv
	$(BIN)/mailledger demo

test: system-deps-rgw venv checkov lint typecheck architecture pytest

lint: venv
	$(BIN)/ruff check .

typecheck: venv
	$(BIN)/mypy pipeline handlers

# the import graph keeps the layers of docs/architecture.md (fast; fails before the suite)
architecture: venv
	$(BIN)/pytest -q tests/architecture

# Two processes by default, one per core of the CI machine: most tests wait on a real
# server, so two take the suite from about 24 to 14 minutes. Each process starts its own
# servers (free ports, own temporary directories); a test file stays in one process, so
# its module fixtures are built once. PYTEST_WORKERS=0 runs it in this process alone.
PYTEST_WORKERS ?= 2

pytest: venv
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

bench: system-deps venv
	$(BIN)/python -m bench

system-deps:
	bash scripts/install-system-deps.sh

system-deps-rgw:
	bash scripts/install-system-deps.sh --rgw

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -n "$(PYTHON)" || sh scripts/find-python.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# checkov pins an older boto3 than the S3 store needs, so it lives in a venv of its own;
# tests/infra/test_infra_checkov.py finds it there.
CHECKOV_STAMP := .venv-checkov/.installed

checkov: $(CHECKOV_STAMP)

$(CHECKOV_STAMP):
	test -x .venv-checkov/bin/python || $(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet checkov
	touch $(CHECKOV_STAMP)

clean:
	rm -rf $(VENV) .venv-checkov var .pytest_cache .mypy_cache .ruff_cache
