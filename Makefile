# Digileap: `make run` starts the application with demo data, `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
PYTEST_WORKERS ?= 2

.PHONY: install run worker test lint typecheck bench lock messages translations clean

install: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

translations: install
	$(PY) manage.py compile_translations

run: install translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@bash scripts/serve.sh

worker: install
	$(PY) manage.py db_worker

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install
	$(PY) -m mypy digileap config bench

test: install translations lint typecheck
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile -q

bench: install
	$(PY) bench/run.py

# Regenerate requirements.txt (exact pins) from requirements.in.
lock:
	$(PYTHON) -m venv /tmp/digileap-lock && /tmp/digileap-lock/bin/pip install --quiet -r requirements.in
	/tmp/digileap-lock/bin/pip freeze > requirements.txt

# Refresh the .po files from the code (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages -l nl -l fr -l de -l lv --ignore=.venv --ignore=var --ignore=bench \
		--ignore=node_modules --ignore='*/tests/*' --ignore='*/static/*' --no-obsolete

clean:
	rm -rf $(VENV) var
