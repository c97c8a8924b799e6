# `make run` and `make test` work on a fresh machine: they build .venv (idempotently) first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint system-deps clean benchmark

run: $(STAMP)
	$(PY) main.py

test: $(STAMP) system-deps lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

benchmark: $(STAMP) system-deps
	$(PY) benchmarks/asr_stream.py
	$(PY) benchmarks/import_export.py
	$(PY) benchmarks/chat_moderation.py
	$(PY) benchmarks/punctuation.py
	$(PY) benchmarks/summaries.py
	$(PY) benchmarks/radio_summaries.py
	$(PY) benchmarks/tutorials.py
	$(PY) benchmarks/trends.py

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Test speech comes from espeak-ng; sox is handy for inspecting audio. Installed when missing.
system-deps:
	@command -v espeak-ng >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq espeak-ng sox; }

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
