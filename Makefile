# Sensor Autopilot — every target installs what it needs itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
SAM_CLI_VERSION := 1.170.0
CHECKOV_VERSION := 3.3.30
MUTMUT_VERSION := 3.8.1
PYTEST_ARGS ?=

.PHONY: help install dev tools demo test test-fast lint lint-template build lock bench bench-service mutate clean pg

help:
	@echo "make demo   - run the control plane against the embedded AWS (no account needed)"
	@echo "make test   - lint, template gates and every test suite"
	@echo "make lint   - ruff + mypy"
	@echo "make build  - sam build (no Docker, no local Python 3.13)"
	@echo "make lock   - pin the functions' whole dependency closure again after editing functions/requirements*.txt"
	@echo "make bench  - benchmarks, JSON under bench/results/"
	@echo "make mutate - mutation testing of logic/ and operations/, score in docs/benchmarks.md"

# install: what the product needs (the `autopilot` command, the service); dev: plus the test and lint tools.
# pip runs with -qq: only errors print (warnings about a machine's own index settings are not the product's).
# setuptools reports every editable install of a multi-directory layout with an informational notice
# ("Editable installation."); it asks nothing of us, so that one message is filtered and every other warning shows.
EDITABLE := PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install -qq -e
install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

$(VENV)/.installed: pyproject.toml
	@echo "Installing the autopilot into $(VENV)/ (first run only)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -qq --upgrade pip
	@$(EDITABLE) .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(EDITABLE) '.[dev]'
	touch $@

tools: $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed

# aws-sam-cli and checkov pin conflicting boto3 versions: each gets its own virtual environment.
$(SAM_VENV)/.installed:
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -qq aws-sam-cli==$(SAM_CLI_VERSION)
	touch $@

$(CHECKOV_VENV)/.installed:
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install -qq checkov==$(CHECKOV_VERSION)
	$(CHECKOV_VENV)/bin/python scripts/checkov_parse_tables.py
	touch $@

pg:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start

demo: install
	@$(VENV)/bin/autopilot demo

lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check functions cli service tests scripts bench cfn_rules
	$(VENV)/bin/mypy

# Bytecode is cached (in __pycache__/, ignored by git) even where the environment turns it off: every pytest process,
# and each subprocess a test starts (the demo, the CLI, the service), would otherwise compile the product and
# rewrite the tests again.
PYTEST := PYTHONDONTWRITEBYTECODE= PATH="$(CURDIR)/$(SAM_VENV)/bin:$(CURDIR)/$(CHECKOV_VENV)/bin:$$PATH" $(PY) -m pytest
IAM_CALLS := $(CURDIR)/.iam-calls
# The only homes of the iam_audit and load tests (tests/template/test_meta.py holds them there): the last two runs
# collect just these, not the whole tree.
IAM_AUDIT_TESTS := tests/template/test_iam_grants.py
LOAD_TESTS := tests/load
# Those two runs use no property-based test: hypothesis's and schemathesis's pytest plugins stay unloaded there
# (importing them costs each run about a second).
WITHOUT_PROPERTY_PLUGINS := -p no:hypothesispytest -p no:schemathesis
# Every suite. Three workers share the 2 cores: a third fills the time the others spend waiting on subprocesses (sam,
# pip, the demo), PostgreSQL and the workflow's executions (about 5 % off the run here). The PostgreSQL suites stay in
# one of them (see tests/conftest.py); the workers record each handler's AWS calls; the IAM audit then checks those
# recordings against the template's policies; the 1,000-client load test runs alone last, so its latency is not the
# other suites' CPU, and loads only its own conftest (it needs no moto or embedded stack: a second less to start).
test: dev tools pg lint
	rm -rf $(IAM_CALLS) && mkdir -p $(IAM_CALLS)
	IAM_CALLS_FILE=$(IAM_CALLS) $(PYTEST) -n 3 --dist loadgroup -m "not load and not iam_audit" $(PYTEST_ARGS)
	IAM_CALLS_REPLAY=$(IAM_CALLS) $(PYTEST) $(WITHOUT_PROPERTY_PLUGINS) -m iam_audit $(IAM_AUDIT_TESTS) $(PYTEST_ARGS)
	$(PYTEST) $(WITHOUT_PROPERTY_PLUGINS) --confcutdir=$(LOAD_TESTS) -m load $(LOAD_TESTS) $(PYTEST_ARGS)

# cfn-lint with the repository's rules (cfn_rules/: what AWS refuses at deploy time), sam's lint and checkov.
lint-template: dev tools
	$(VENV)/bin/cfn-lint template.yaml --append-rules cfn_rules
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam validate --lint --region us-east-2 --template-file template.yaml
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --framework cloudformation --skip-download --file template.yaml

test-fast: dev
	$(PY) -m pytest tests/unit tests/functional $(PYTEST_ARGS)

# Pin the Lambda functions' whole dependency closure again (functions/requirements*.lock) after a change to
# functions/requirements.txt or requirements-ops.txt: pip resolves them for python3.13 on arm64.
lock: tools
	$(SAM_VENV)/bin/python scripts/lock_lambda_deps.py

# Each function's package must stay under 15 MB unpacked (boto3 comes with the Lambda runtime).
MAX_PACKAGE_BYTES := 15000000

build: tools
	PATH="$(CURDIR)/$(SAM_VENV)/bin:$$PATH" sam build --template-file template.yaml
	@for dir in .aws-sam/build/*/; do \
		[ -f "$$dir/autopilot/__init__.py" ] || continue; \
		size=$$(du -sb "$$dir" | cut -f1); \
		echo "$$(basename "$$dir"): $$size bytes unpacked"; \
		[ "$$size" -lt $(MAX_PACKAGE_BYTES) ] || { echo "$$(basename "$$dir") is over $(MAX_PACKAGE_BYTES) bytes" >&2; exit 1; }; \
	done

bench: dev
	$(PY) -m bench.run_control_plane
	$(PY) -m bench.run_simulator

# Mutation testing (mutmut, only in .venv: a dev tool): each package's mutants against its tests, from scratch, in
# build/mutate/<package>/; the score goes to docs/benchmarks.md. MUTATE_CHILDREN workers (default: every core).
mutate: dev $(VENV)/.mutmut-$(MUTMUT_VERSION)
	$(PY) scripts/mutation_score.py run $(MUTATE_PACKAGES)

$(VENV)/.mutmut-$(MUTMUT_VERSION): $(VENV)/.dev-installed
	$(PY) -m pip install -qq mutmut==$(MUTMUT_VERSION)
	touch $@

clean:
	rm -rf .aws-sam build dist *.egg-info

-include service/service.mk
