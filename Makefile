# Two commands from a fresh clone: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
AXE_JS := var/node/node_modules/axe-core/axe.min.js
REGISTRY_DATA_DIR ?= ../shared/data/registry
HOST ?= 127.0.0.1
PORT ?= 8000
export REGISTRY_DATA_DIR

.PHONY: run test setup install lint clean prod prod-start prod-stop digits-model promises mutate

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input -v 1
	@if [ -f "$(REGISTRY_DATA_DIR)/dla_lao_registry.csv" ]; then \
		$(BIN)/python manage.py load_registry "$(REGISTRY_DATA_DIR)"; \
	else \
		echo "No registry files at $(REGISTRY_DATA_DIR): loading a small generated demo registry."; \
		$(BIN)/python manage.py generate_demo_registry; \
	fi
	$(BIN)/python manage.py load_circulars
	$(BIN)/python manage.py create_demo_accounts
	$(BIN)/python manage.py prepare_demo

run: setup
	@bash scripts/run.sh "$(HOST)" "$(PORT)"

# The production configuration, without containers (README, "Production"): nginx with TLS on
# https://127.0.0.1:8443/, two gunicorn instances, Celery worker and beat. Needs the variables
# the README lists; stops with a message naming one that is missing.
prod: install
	@bash scripts/prod.sh run

prod-start: install
	@bash scripts/prod.sh start

prod-stop:
	@bash scripts/prod.sh stop

# Two pytest-xdist workers (this kind of machine has 2 cores), each with its own PostgreSQL test
# database (pytest-django's test_<name>_gw0, _gw1), Redis key prefix, ports and files
# (tests/keyspace.py). `--dist loadfile`: a file's tests run on one worker, so a module's or a
# class's fixture built once is built once (pytest-xdist 3.8's `loadgroup` has no effect under
# pytest 9: its group suffix is set on an attribute pytest 9 no longer reads). The roles of the
# fuzz pass and of the accessibility pass, each with a scene of its own, are the exception: the
# workers take them one by one (`SPREAD` in tests/conftest.py).
# A transactional test's flush empties the rows the data migrations wrote (the reminder ladder);
# tests/conftest.py writes them back after each such test (tests/migration_rows.py), so a worker
# may run them in any order. `TEST_WORKERS=0` runs the suite in one process.
TEST_WORKERS ?= 2

test: install
	@mkdir -p var
	@# axe-core for the accessibility tests (tests/browser/axe.py), from npm, never a CDN.
	@if command -v npm >/dev/null 2>&1 && [ ! -f $(AXE_JS) ]; then \
		npm install --silent --no-audit --no-fund --prefix var/node axe-core@4; fi
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The circular intake's digit model (circulars/intake/digits_model.npz, committed): rebuilt from
# Debian's fonts-thai-tlwg, seeded, so the same fonts give the same file.
digits-model: install
	$(BIN)/python -m circulars.intake.digits_model

# Each rule README promises, removed in turn: the test keeping it must fail (tests/promise_breaks.py;
# a few minutes on SQLite; it edits the work tree while it runs and puts every file back).
promises: install
	$(BIN)/python -m tests.promise_breaks

# Mutation testing of the service and policy modules ([tool.mutmut] in pyproject.toml; a copy in
# mutants/, git-ignored). Results are kept: a second run goes on where the first stopped. Then
# `$(BIN)/mutmut results` lists the survivors, `mutmut show NAME` one. MUTANTS='glob ...' runs
# only those mutants, e.g. MUTANTS='maintenance.policy.*' (named mutants are always rerun).
# The test database migrated once; each mutant's pytest session copies it (tests/conftest.py).
MUTMUT_DB := $(CURDIR)/var/mutmut-template.sqlite3
mutate: install
	@mkdir -p var && rm -f $(MUTMUT_DB) $(MUTMUT_DB).*
	DJANGO_SETTINGS_MODULE=elaas_portal.settings.test DATABASE_URL=sqlite:///$(MUTMUT_DB) \
		$(BIN)/python manage.py migrate -v0
	TEST_DB_TEMPLATE=$(MUTMUT_DB) $(BIN)/mutmut run --max-children 2 $(MUTANTS)
	$(BIN)/mutmut export-cicd-stats
	$(BIN)/python scripts/mutation_scores.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var
