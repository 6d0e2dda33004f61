# Two commands do everything on a fresh machine: `make run` and `make test`.
# The newest Python the dependencies support (3.11-3.13) that runs here (a pyenv shim for a
# version that is not selected answers but does not run, hence the check).
PYTHON ?= $(shell for candidate in python3.13 python3.12 python3.11 python3; do \
	$$candidate -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' \
	2>/dev/null && { command -v $$candidate; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app portal
PORT ?= 5000
SEED_CONTEST := portal/seed/zzcf-2014.yaml
CATALOGS := $(wildcard portal/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test install translations db seed extract-messages update-messages clean fairness \
	load bench e2e screenshots security lock serve-lan

# Reinstall only when a dependency file changed since the last install. Every dependency,
# direct and indirect, comes from requirements.lock, checked against its hashes; then the
# portal itself, editable. After changing pyproject.toml: `make lock`.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The lock file, for Python 3.11-3.13 on any platform, with the hashes of every file
# (uv, pinned, in a virtualenv of its own).
LOCK_TOOLS := .venv-lock
lock:
	test -x $(LOCK_TOOLS)/bin/uv || { $(PYTHON) -m venv $(LOCK_TOOLS) && \
		$(LOCK_TOOLS)/bin/python -m pip install --quiet uv==0.13.8; }
	$(LOCK_TOOLS)/bin/uv pip compile pyproject.toml --extra test --universal \
		--python-version 3.11 --generate-hashes --no-header -o requirements.lock

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

# Pitch day at a venue with only a local network (docs/guide-organizers.md, "Pitch day"):
# gunicorn on every address of this machine, plain HTTP, with the job consumer; stopping one
# stops both. Anyone on the network can reach the portal: see the guide's security caveats.
LAN_PORT ?= 8000
LAN_WORKERS ?= 9
serve-lan: seed
	@trap 'kill $$jobs 2>/dev/null; wait $$jobs' EXIT INT TERM; \
	$(FLASK) jobs & jobs=$$!; \
	echo "Pitch day on the local network: http://$$(hostname -I 2>/dev/null | cut -d' ' -f1):$(LAN_PORT)/"; \
	GUNICORN_BIND=0.0.0.0:$(LAN_PORT) GUNICORN_WORKERS=$(LAN_WORKERS) PORTAL_ENV=development \
	PORTAL_BASE_URL=http://$$(hostname -I 2>/dev/null | cut -d' ' -f1):$(LAN_PORT) \
	$(BIN)/gunicorn wsgi:app

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Load and fault tests at a reduced size (about 8 minutes): the surge (rate limiting on, every
# email checked), judges at once, then tests/load (eight requests at once on SQLite and on
# PostgreSQL with TEST_DATABASE_URL, limits behind a proxy, scale-out). The full size by hand:
#   .venv/bin/python bench/surge.py --database postgresql --users 200 [--kill-every 5]
LOAD_RESULTS := bench/load-results
# Pitch day: judges scoring and viewers of the audience page for five minutes (smaller with
# e.g. `make load LIVE_VIEWERS=50 LIVE_SECONDS=60`); with LIVE_REDIS_URL (e.g.
# redis://127.0.0.1:6379/0) the portal under test mirrors the session in Redis (REDIS_URL).
LIVE_JUDGES ?= 30
LIVE_VIEWERS ?= 300
LIVE_SECONDS ?= 300
load: install
	mkdir -p $(LOAD_RESULTS)
	$(BIN)/python bench/surge.py --database sqlite --users 60 --json $(LOAD_RESULTS)/surge-sqlite.json
	$(BIN)/python bench/surge.py --database sqlite --users 40 --kill-every 5 --strict-mail --json $(LOAD_RESULTS)/surge-sqlite-kill.json
	$(BIN)/python bench/surge.py --database postgresql --users 60 --json $(LOAD_RESULTS)/surge-postgresql.json
	$(BIN)/python bench/surge.py --database postgresql --users 40 --kill-every 5 --strict-mail --json $(LOAD_RESULTS)/surge-postgresql-kill.json
	$(BIN)/python bench/judges_load.py --database sqlite --judges 50 --json $(LOAD_RESULTS)/judges-sqlite.json
	$(BIN)/python bench/judges_load.py --database postgresql --judges 50 --json $(LOAD_RESULTS)/judges-postgresql.json
	$(BIN)/python bench/live_load.py --database postgresql --judges $(LIVE_JUDGES) --viewers $(LIVE_VIEWERS) --seconds $(LIVE_SECONDS) --redis "$(LIVE_REDIS_URL)" --json $(LOAD_RESULTS)/live-postgresql.json
	$(BIN)/python -m pytest tests/load -m slow -p no:cacheprovider

# Each figure beside its floor (docs/performance.md); under 10 minutes on 2 cores, never part of
# the tests. `make bench BENCH_ARGS=--postgresql` adds PostgreSQL.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# End-to-end journeys in Debian's Chromium (apt-get install chromium), with axe-core checks.
e2e: install
	$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[test,e2e]'
	$(BIN)/python -m pytest tests/e2e -m e2e -p no:cacheprovider $(PYTEST_ARGS)

# The guides' screenshots (docs/screenshots/), taken again by the Chinese journeys and the pitch
# day's. Two were taken by hand (the 公示 notice on a phone, the phone-size poster): left as they are.
screenshots: install
	$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[test,e2e]'
	E2E_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/e2e/test_journeys.py tests/e2e/test_live_final.py -m e2e -k "zh_CN or live" -p no:cacheprovider

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
	rm -rf $(VENV) $(LOCK_TOOLS) .pytest_cache
