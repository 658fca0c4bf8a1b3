# Developer and CI entry points of the dealer DMS (GNU make).
#
#   make run              serve the demo on http://localhost:8000/
#   make test             flake8 + every module's tests + tests/ on SQLite
#   make test-postgresql  the same tests on a throwaway PostgreSQL 15 cluster
#   make test-browser     tests/test_browser.py (sao in Debian's chromium)
#   make test-platform    the platform's scenarios with every dms module
#   make help             everything else
#
# A fresh machine needs only Python 3.11, Node/npm and make: `venv` and `sao`
# install the rest, and are no-ops while requirements*.txt, pyproject.toml,
# package.json and package-lock.json are unchanged.
#
# Knobs (make VAR=value):
#   PYTHON          interpreter for the venv (default python3.11, else python3)
#   UNITTEST_ARGS   extra arguments for every unittest run, e.g. -f or
#                   "-k reminder" (also selects scenario_*reminder*.rst)
#   RUN_ARGS        extra arguments for trytond in `make run`, e.g. --dev
#   PG_DB_CACHE     DB_CACHE of test-postgresql (default postgresql://:
#                   template databases inside the throwaway cluster); a
#                   folder, e.g. $(CURDIR)/var/db-cache/pg, keeps pg_dump
#                   copies between runs instead (restored with pg_restore;
#                   delete it after changing a model)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VPY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed

# sao, with its own dependencies nested inside its folder (index.html loads
# node_modules/... relative to itself); trytond serves it ([web] root).
SAO_DIR := node_modules/tryton-sao
SAO_STAMP := node_modules/.sao-installed

CONFIG := config/trytond.conf
DATABASE := dms
# SQLite databases (<name>.sqlite) of demo and run.  Given to trytond as an
# absolute path through the environment: it makes a relative [database]
# path absolute ("var" -> /var), and config/trytond.conf leaves it unset.
DATABASE_PATH := $(CURDIR)/var

FLAKE8_IGNORE := E123,E124,E126,E128,E741,W503
LINT_DIRS = $(wildcard addons scripts tests bench)

# Modules: every addons/dms_*/ directory; their tests: tests/test_*.py in it.
MODULES = $(sort $(patsubst addons/%/,%,$(wildcard addons/dms_*/)))
# Cross-module tests; the browser test and the PostgreSQL-only concurrency
# tests have their own targets.
CROSS_TESTS = $(sort $(filter-out tests/test_browser.py \
	tests/test_concurrency% tests/test_platform%,$(wildcard tests/test_*.py)))
CONCURRENCY_TESTS = $(sort $(wildcard tests/test_concurrency*.py))

# SQLite cache of activated test databases (Tryton's DB_CACHE), in a folder
# named after a hash of the modules' code (tests excluded) and of the
# installed packages, so that changing a model never reuses a stale schema.
SQLITE_CACHE_KEY = $(shell { find addons -name tests -prune \
	-o -name __pycache__ -prune -o -type f -print 2>/dev/null \
	| LC_ALL=C sort | xargs -r sha1sum; cat $(VENV_STAMP) 2>/dev/null; } \
	| sha1sum | cut -c1-16)
SQLITE_DB_CACHE = $(CURDIR)/var/db-cache/sqlite-$(SQLITE_CACHE_KEY)
PG_DB_CACHE ?= postgresql://

.PHONY: help venv sao demo run test lint test-postgresql test-browser \
	test-platform \
	bench clean _suite _update_demo

help:
	@sed -n '/^#   make/s/^#   //p' $(firstword $(MAKEFILE_LIST))
	@echo "make venv | sao | demo | lint | bench | clean"

# --- installation ----------------------------------------------------------

venv: $(VENV_STAMP)

$(VENV_STAMP): requirements.txt requirements-test.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "venv: no python3.11 or python3" >&2; \
		exit 1; }
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --disable-pip-version-check -q \
		-r requirements.txt -r requirements-test.txt -e .
	@# The stamp records what is installed (it keys the SQLite test cache).
	$(VPY) -m pip freeze --disable-pip-version-check --exclude-editable \
		> $@.tmp
	mv $@.tmp $@

sao: $(SAO_STAMP)

$(SAO_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "sao: npm is missing" >&2; exit 1; }
	npm ci --install-strategy=nested --omit=dev --legacy-peer-deps \
		--no-audit --no-fund --loglevel=error
	test -f $(SAO_DIR)/index.html
	test -f $(SAO_DIR)/node_modules/jquery/dist/jquery.js
	touch $@

# --- demo ------------------------------------------------------------------

DEMO_DATABASE = $(DATABASE_PATH)/$(DATABASE).sqlite
# The code the demo database was last built or updated with: when the
# modules change (a pull adds a column), run and demo update the database
# with trytond-admin -u before using it
DEMO_STAMP = $(DATABASE_PATH)/$(DATABASE).code

demo run _update_demo: export TRYTOND_DATABASE__PATH := $(DATABASE_PATH)

demo: $(VENV_STAMP)
	@test -f scripts/demo.py || { echo "make demo: scripts/demo.py does" \
		"not exist yet, so there is no demo database to build." >&2; \
		exit 1; }
	mkdir -p $(DATABASE_PATH)
	$(MAKE) --no-print-directory _update_demo
	$(VPY) scripts/demo.py --config $(CONFIG) --database $(DATABASE)
	echo '$(SQLITE_CACHE_KEY)' > $(DEMO_STAMP)

# Internal: update the dms modules of an existing demo database whose code
# changed since (also loads new translations)
_update_demo:
	@key='$(SQLITE_CACHE_KEY)'; \
	if [ -f $(DEMO_DATABASE) ] \
			&& [ "$$(cat $(DEMO_STAMP) 2>/dev/null)" != "$$key" ]; then \
		echo "The dms modules changed since $(DEMO_DATABASE) was last" \
			"updated: updating it"; \
		$(VENV)/bin/trytond-admin -c $(CONFIG) -d $(DATABASE) \
			-u $(MODULES) --activate-dependencies; \
		echo "$$key" > $(DEMO_STAMP); \
	fi

# The demo is built only when var/dms.sqlite is missing (`make demo` to
# rebuild it, `make clean` to start over).  -d preloads the database: the
# first request of a threaded server otherwise fails (KeyError 'res.user').
run: $(VENV_STAMP) $(SAO_STAMP)
	@if [ ! -f $(DEMO_DATABASE) ]; then \
		$(MAKE) --no-print-directory demo; \
	else \
		$(MAKE) --no-print-directory _update_demo; \
	fi
	@echo "Web client: http://localhost:8000/ (database $(DATABASE))"
	exec $(VENV)/bin/trytond -c $(CONFIG) -d $(DATABASE) $(RUN_ARGS)

# --- tests -----------------------------------------------------------------

lint: $(VENV_STAMP)
	$(VENV)/bin/flake8 --ignore=$(FLAKE8_IGNORE) $(LINT_DIRS)

test: $(VENV_STAMP) $(SAO_STAMP)
	$(MAKE) --no-print-directory lint
	@mkdir -p var/db-cache
	@# Drop the caches of other versions of the code
	@find var/db-cache -mindepth 1 -maxdepth 1 -name 'sqlite-*' \
		! -name '$(notdir $(SQLITE_DB_CACHE))' -exec rm -rf {} +
	$(MAKE) --no-print-directory _suite BACKEND=sqlite \
		TRYTOND_DATABASE_URI=sqlite:// DB_CACHE=$(SQLITE_DB_CACHE)

# scripts/pg-test-cluster.sh starts the cluster, sets TRYTOND_DATABASE_URI
# (unix socket), runs the suite and always removes the cluster.  DB_CACHE
# "postgresql://" keeps each activated database as a template database in
# that cluster (CREATE DATABASE ... TEMPLATE), no pg_dump files.
test-postgresql: $(VENV_STAMP)
	scripts/pg-test-cluster.sh $(MAKE) --no-print-directory _suite \
		BACKEND=postgresql DB_CACHE=$(PG_DB_CACHE)

# The platform's own scenarios (sale, stock, ...) with every dms module
# activated; SQLite, about 9 minutes without a warm DB_CACHE
test-platform: $(VENV_STAMP)
	@mkdir -p var/db-cache
	TRYTOND_DATABASE_URI=sqlite:// DB_CACHE=$(SQLITE_DB_CACHE) \
		$(VPY) -m unittest discover $(UNITTEST_ARGS) -s tests \
		-p test_platform_scenarios.py

test-browser: $(VENV_STAMP) $(SAO_STAMP)
	@if [ ! -f tests/test_browser.py ]; then \
		echo "test-browser: tests/test_browser.py does not exist yet:" \
			"skipped"; exit 0; fi; \
	export TRYTOND_WEB__ROOT=$(CURDIR)/$(SAO_DIR); \
	echo "$(VPY) -m unittest $(UNITTEST_ARGS) tests.test_browser"; \
	$(VPY) -m unittest $(UNITTEST_ARGS) tests.test_browser

# Internal: the test suite on the backend given by TRYTOND_DATABASE_URI.
# Each module's tests run in one process (unittest by module name: the
# editable install maps trytond.modules.dms_* onto addons/, which
# `discover -s trytond.modules.X.tests` rejects), then each tests/test_*.py
# file in its own process (`discover -s tests`, so tests/ is on sys.path).
# Stops at the first failing process.
_suite: export TRYTOND_DATABASE_URI := $(TRYTOND_DATABASE_URI)
_suite: export DB_CACHE := $(DB_CACHE)
_suite:
	@test -n "$$TRYTOND_DATABASE_URI" || { echo "_suite: no database" >&2; \
		exit 1; }
	@echo "Tests on $(BACKEND), DB_CACHE=$$DB_CACHE"
	@for module in $(MODULES); do \
		names=; \
		for file in addons/$$module/tests/test_*.py; do \
			[ -f "$$file" ] || continue; \
			name=$$(basename "$$file" .py); \
			names="$$names trytond.modules.$$module.tests.$$name"; \
		done; \
		if [ -z "$$names" ]; then \
			echo "== $$module: no tests/test_*.py"; continue; fi; \
		echo "== $$module"; \
		start=$$SECONDS; \
		$(VPY) -m unittest $(UNITTEST_ARGS) $$names \
			|| { echo "FAILED: $$module on $(BACKEND)" >&2; exit 1; }; \
		echo "== $$module: $$((SECONDS - start)) s"; \
	done
	@for file in $(CROSS_TESTS) \
			$(if $(filter postgresql,$(BACKEND)),$(CONCURRENCY_TESTS)); do \
		echo "== $$file"; \
		start=$$SECONDS; \
		$(VPY) -m unittest discover $(UNITTEST_ARGS) -s tests \
			-p "$$(basename $$file)" \
			|| { echo "FAILED: $$file on $(BACKEND)" >&2; exit 1; }; \
		echo "== $$file: $$((SECONDS - start)) s"; \
	done

# --- benchmarks ------------------------------------------------------------

# bench/run.py runs every bench/bench_*.py (BENCH="vehicle" picks some) and
# writes one JSON document to stdout and bench/results/latest.json.  The
# PostgreSQL figures come from a throwaway cluster (scripts/pg-test-cluster.sh
# sets TRYTOND_DATABASE_URI); when the script finds no server binaries (exit
# 3) the benchmarks run without it and the JSON says why those figures are
# missing.  SQLite figures use temporary database files, activated from the
# test suite's DB_CACHE.  Measurement only: nothing fails on a missed target.
BENCH_PG_MISSING = scripts/pg-test-cluster.sh found no PostgreSQL server \
	binaries (apt-get install postgresql-15)
bench: export BENCH_SQLITE_DB_CACHE := $(SQLITE_DB_CACHE)
bench: $(VENV_STAMP)
	@mkdir -p var/db-cache
	@status=0; \
	scripts/pg-test-cluster.sh $(VPY) bench/run.py $(BENCH) || status=$$?; \
	if [ $$status -eq 3 ]; then \
		echo "bench: no PostgreSQL cluster, PostgreSQL figures skipped" >&2; \
		BENCH_POSTGRESQL_SKIPPED="$(BENCH_PG_MISSING)" \
			$(VPY) bench/run.py $(BENCH); \
	else \
		exit $$status; \
	fi

# --- cleaning --------------------------------------------------------------

# Removes the demo database and the test caches; keeps .venv and sao.
clean:
	rm -rf var
