# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app portal
PORT ?= 5000
SEED_CONTEST := portal/seed/zzcf-2014.yaml
CATALOGS := $(wildcard portal/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test install translations db seed extract-messages update-messages clean fairness \
	load bench e2e screenshots security

# Reinstall only when a dependency file changed since the last install.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(COMPILED)

db: install
	$(FLASK) db upgrade

# Migrate, load the seed contest unless it is there, make sure of an organizer: one process.
seed: install
	$(FLASK) prepare $(SEED_CONTEST)

# The job consumer (mail, periodic jobs) runs beside the web server; stopping one stops both.
run: seed
	@trap 'kill $$jobs 2>/dev/null; wait $$jobs' EXIT INT TERM; \
	$(FLASK) jobs & jobs=$$!; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Load and fault tests at a reduced size (about 3 minutes); the full size is run by hand:
#   .venv/bin/python bench/surge.py --database postgresql --users 200 [--kill-every 5]
LOAD_RESULTS := bench/load-results
load: install
	mkdir -p $(LOAD_RESULTS)
	$(BIN)/python bench/surge.py --database sqlite --users 60 --json $(LOAD_RESULTS)/surge-sqlite.json
	$(BIN)/python bench/surge.py --database sqlite --users 40 --kill-every 5 --json $(LOAD_RESULTS)/surge-sqlite-kill.json
	$(BIN)/python bench/surge.py --database postgresql --users 60 --json $(LOAD_RESULTS)/surge-postgresql.json
	$(BIN)/python bench/surge.py --database postgresql --users 40 --kill-every 5 --json $(LOAD_RESULTS)/surge-postgresql-kill.json
	$(BIN)/python bench/judges_load.py --database sqlite --judges 50 --json $(LOAD_RESULTS)/judges-sqlite.json
	$(BIN)/python bench/judges_load.py --database postgresql --judges 50 --json $(LOAD_RESULTS)/judges-postgresql.json
	$(BIN)/python -m pytest tests/load -m slow -p no:cacheprovider

# Each figure beside its floor (docs/performance.md); under 10 minutes on 2 cores, never part of
# the tests. `make bench BENCH_ARGS=--postgresql` adds PostgreSQL.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# End-to-end journeys in Debian's Chromium (apt-get install chromium), with axe-core checks.
e2e: install
	$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[test,e2e]'
	$(BIN)/python -m pytest tests/e2e -m e2e -p no:cacheprovider $(PYTEST_ARGS)

# The guides' screenshots (docs/screenshots/), taken by the Chinese journeys.
screenshots: install
	$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[test,e2e]'
	rm -f docs/screenshots/*.png
	E2E_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/e2e/test_journeys.py -m e2e -k zh_CN -p no:cacheprovider

# Static analysis and attack tools against a running portal, in their own virtualenvs
# (tests/security/run.sh; about 10-15 minutes).
security: install
	bash tests/security/run.sh

# The ranking methods against simulated judges of known bias (docs/ranking.md); a few minutes.
fairness: install
	$(BIN)/python bench/fairness.py

# Translators: refresh the template and the catalogs after changing strings.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F portal/translations/babel.cfg -k _l -k lazy_gettext -k N_ -o portal/translations/messages.pot --no-location --sort-output .

update-messages: extract-messages
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache
