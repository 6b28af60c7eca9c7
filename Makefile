# Two commands: `make run` (set up and open the dashboard on the demo map) and
# `make test` (set up, start what the tests need, run the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
COALITION := $(VENV)/bin/coalition
PORT ?= 8501

.PHONY: install install-dev run test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: install
	$(COALITION) demo --if-empty
	$(COALITION) serve --address 127.0.0.1 --port $(PORT)

test: install-dev
	$(VENV)/bin/ruff check coalition graph tests streamlit_app.py
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check coalition graph tests bench streamlit_app.py
	$(VENV)/bin/ruff format --check coalition graph tests bench streamlit_app.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
