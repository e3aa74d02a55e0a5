# Two commands do all set-up on a fresh machine (see README):
#   make run    migrate, load demo data, serve (embedded PostgreSQL when DATABASE_URL is unset)
#   make test   the whole test suite against a fresh database
VENV ?= .venv
# make run's port (agentdb demo checks it is free before doing anything else).
PORT ?= 8000
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install check plans

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/agentdb demo --port $(PORT)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# SQL and migration review (after `make test`, which records the statements the tests ran).
check: $(STAMP)
	$(PY) -m devtools check

# Regenerate devtools/plans/ (on PostgreSQL 15: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres).
plans: $(STAMP)
	$(PY) -m devtools plans
