# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
export UV_PYTHON_DOWNLOADS := never
# Python may write its bytecode caches (__pycache__, ignored by git) even where the shell
# says not to: without them every process of a run (each pytest worker, each Celery worker,
# gunicorn node and settings interpreter the tests start) compiles Django and the rest from
# source again, some 5 s of CPU each. The installed packages are compiled once at install.
unexport PYTHONDONTWRITEBYTECODE
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_WORKERS ?= auto
TEST_ENV = DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL)
# The integration run: its own test database (test_portal_integration) and Redis database.
TEST_INTEGRATION_ENV = DATABASE_URL=$(TEST_DATABASE_URL)_integration REDIS_URL=redis://127.0.0.1:6379/8

.PHONY: run test setup lint format messages static clean fuzz

$(VENV)/.installed: pyproject.toml uv.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check uv==0.13.8
	$(UV) sync --frozen --inexact --compile-bytecode --python $(PY)
	touch $@

static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/bootstrap/dist/css/bootstrap.min.css static/vendor/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	cp node_modules/echarts/dist/echarts.min.js static/vendor/
	touch $@

messages: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

setup: $(VENV)/.installed static/vendor/.installed messages

## make run: set up, migrate, seed the demo world, start web + worker + beat, all with the
## local settings (debug off unless DJANGO_DEBUG=1, demo authenticators); the Procfile names
## them too.
run: export DJANGO_SETTINGS_MODULE := config.settings.local
run: setup
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	$(VENV)/bin/honcho start -p $${PORT:-8000}

## make test: lint, format check, import contracts, then the whole suite on real PostgreSQL
## and Redis, in two runs at once: the few integration tests with real Celery processes, on
## their own test database and Redis database at normal priority (their time bounds are the
## portal's promises, so the rest never takes the CPU from them), and everything else in
## parallel (pytest-xdist, one process per core, each with its own test database and Redis
## database) at a lower priority (nice). The integration run's output follows the rest.
test: setup
	dpkg -s chromium fonts-wqy-microhei >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	mkdir -p var
	$(TEST_INTEGRATION_ENV) $(VENV)/bin/pytest -m integration -p no:xdist $(PYTEST_ARGS) >var/integration.log 2>&1 & integration=$$!; \
	$(TEST_ENV) nice -n 10 $(VENV)/bin/pytest -m "not integration" --numprocesses=$(TEST_WORKERS) $(PYTEST_ARGS); rest=$$?; \
	wait $$integration; status=$$?; \
	echo "== integration tests (real Celery processes; ran beside the rest, at normal priority) =="; \
	cat var/integration.log; \
	[ $$rest -eq 0 ] && { [ $$status -eq 0 ] || [ $$status -eq 5 ]; }

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var

## make fuzz: the schemathesis run of tests/security with many more, random examples per
## operation and role (FUZZ_EXAMPLES, default 200). Slow; not part of `make test`.
fuzz: setup
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) SCHEMATHESIS_EXAMPLES=$${FUZZ_EXAMPLES:-200} SCHEMATHESIS_RANDOM=1 $(VENV)/bin/pytest tests/security/test_schemathesis.py -p no:logging -q $(PYTEST_ARGS)
