# Two commands: `make run` (set up and open the dashboard on the demo map) and
# `make test` (set up, start what the tests need, run the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
COALITION := $(VENV)/bin/coalition
PORT ?= 8501

.PHONY: install install-dev run test lint clean neo4j neo4j-stop chromium messages catalogues

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	scripts/setup-fonts.sh || echo "WARNING: fonts missing (see above): the brief and map images refuse names in those scripts" >&2
	touch $@
	$(MAKE) --no-print-directory catalogues

# The interface's translations (coalition/i18n): `make catalogues` compiles the .po files
# into the .mo files gettext reads (make install and make test do it); `make messages`
# collects the messages from the code into coalition.pot and merges them into each .po.
LOCALES := coalition/i18n/locales
catalogues:
	$(VENV)/bin/pybabel compile --domain coalition --directory $(LOCALES) --statistics

messages: install
	$(VENV)/bin/pybabel extract --mapping-file babel.cfg --keywords N_ --keywords ngettext:1,2 \
	  --no-location --sort-output --add-comments TRANSLATORS: --project "Coalition Mapper" \
	  --msgid-bugs-address "" --output-file $(LOCALES)/coalition.pot .
	$(VENV)/bin/pybabel update --domain coalition --input-file $(LOCALES)/coalition.pot \
	  --output-dir $(LOCALES) --no-fuzzy-matching --ignore-obsolete

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: install
	$(COALITION) demo --if-empty
	$(COALITION) serve --address 127.0.0.1 --port $(PORT)

# The Neo4j test server is started here (on its own port, with throw-away data) and stopped
# after the suite. In CI (CI=true) a server that cannot start fails the run; elsewhere only
# the Neo4j tests are skipped, loudly.
NEO4J_TEST_PORT ?= 7688
export NEO4J_PASSWORD ?= coalition-test

test: install-dev catalogues
	$(VENV)/bin/ruff check coalition graph tests bench streamlit_app.py
	@scripts/setup-chromium.sh || { if [ "$$CI" = "true" ]; then echo "make test: Chromium could not be installed; CI needs it for tests/test_browser.py" >&2; exit 1; fi; \
	  echo "WARNING: no Chromium: the browser tests will be SKIPPED" >&2; }
	@uri=$$(tools/neo4j-server/start.sh $(NEO4J_TEST_PORT) | tail -n 1) && case "$$uri" in neo4j://*) ;; *) false ;; esac || { \
	  if [ "$$CI" = "true" ]; then echo "make test: the Neo4j test server could not be started (see above); CI needs it" >&2; exit 1; fi; \
	  echo "WARNING: no Neo4j test server (see above): the Neo4j tests will be SKIPPED" >&2; uri=""; }; \
	COALITION_TEST_NEO4J="$$uri" $(PY) -m pytest; status=$$?; \
	[ -z "$$uri" ] || tools/neo4j-server/stop.sh $(NEO4J_TEST_PORT); exit $$status

# A local Neo4j 5 Community server for trying the Neo4j backend (no Docker needed).
neo4j:
	@tools/neo4j-server/start.sh

neo4j-stop:
	@tools/neo4j-server/stop.sh

# Debian's Chromium for the real-browser tests (installed with apt-get when missing).
chromium:
	@scripts/setup-chromium.sh

lint: install-dev
	$(VENV)/bin/ruff check coalition graph tests bench streamlit_app.py
	$(VENV)/bin/ruff format --check coalition graph tests bench streamlit_app.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
