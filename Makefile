# One command each: `make run` (demo on http://127.0.0.1:8000), `make test`, `make lint`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo runs with DEBUG on, a SQLite file under var/ and a key file created on first start.
DEMO_ENV := DJANGO_DEBUG=1 ADVOCACY_KEY_FILE_AUTOCREATE=1 ADVOCACY_LOG_FORMAT=plain
# mypy's Django plugin loads the settings, which want a secret and a key file (the tests' one,
# created if missing); it reads neither. Caches go under var/ with everything else generated.
LINT_ENV := DJANGO_SECRET_KEY=lint-only-not-a-secret ADVOCACY_KEY_FILE=var/test/keys.json \
	ADVOCACY_KEY_FILE_AUTOCREATE=1 MYPY_CACHE_DIR=var/cache/mypy \
	DJANGO_EMAIL_HOST=mail.invalid DJANGO_DEFAULT_FROM_EMAIL=lint@example.invalid

.PHONY: run serve migrate test lint format install clean-demo

$(BIN)/activate-installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/activate-installed

run: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py load_demo
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Production: DEBUG off, static files collected (hashed names, served by whitenoise), gunicorn
# on ADVOCACY_BIND (default 127.0.0.1:8000) with the environment's settings (docs/operations.md).
# Migrations are not run here: `make migrate` does, as the database's owner role.
serve: install
	DJANGO_DEBUG=0 $(BIN)/python manage.py check --deploy --fail-level ERROR
	DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=0 $(BIN)/gunicorn --config deploy/gunicorn.conf.py

# Migrations as the owner role (DATABASE_OWNER_URL when set, else DATABASE_URL), then the
# application role's grants when DATABASE_APP_ROLE names it (PostgreSQL, docs/operations.md).
migrate: install
	DATABASE_URL="$${DATABASE_OWNER_URL:-$$DATABASE_URL}" $(BIN)/python manage.py migrate --noinput
	if [ -n "$$DATABASE_APP_ROLE" ]; then \
	  psql "$${DATABASE_OWNER_URL:-$$DATABASE_URL}" -q -v app="$$DATABASE_APP_ROLE" \
	    -f deploy/postgres-grants.sql; fi

# Two workers: the suite takes 2 min 47 s instead of 5 min 4 s on this 2-core machine
# (decision 61). WORKERS=0 runs it in one process.
WORKERS ?= 2
test: install
	$(BIN)/pytest -n $(WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --cache-dir var/cache/import-linter
	$(LINT_ENV) $(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean-demo:
	@echo "This deletes the demo database and its key file under var/."
	@read -p "Type 'yes' to continue: " answer && [ "$$answer" = yes ]
	rm -f var/db.sqlite3 var/db.sqlite3-wal var/db.sqlite3-shm var/keys.json
