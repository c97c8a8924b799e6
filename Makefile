# `make run` and `make test` work on a fresh machine: they build .venv (idempotently) first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

SUDO = $$( [ "$$(id -u)" = 0 ] || echo sudo )

.PHONY: run test lint system-deps gui-deps install-desktop clean benchmark

run: $(STAMP) gui-deps
	$(PY) main.py

test: $(STAMP) system-deps lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest --durations=30

# The application-menu entry and icon for this checkout's .venv (`streamlens desktop install`).
install-desktop: $(STAMP)
	$(VENV)/bin/streamlens desktop install

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

benchmark: $(STAMP) system-deps
	$(PY) benchmarks/asr_stream.py
	$(PY) benchmarks/live_latency.py
	$(PY) benchmarks/many_streams.py
	xvfb-run -a -s "-screen 0 1280x800x24" $(PY) benchmarks/demo_latency.py
	$(PY) benchmarks/import_export.py
	$(PY) benchmarks/chat_moderation.py
	$(PY) benchmarks/chat_flood.py
	$(PY) benchmarks/punctuation.py
	$(PY) benchmarks/summaries.py
	$(PY) benchmarks/radio_summaries.py
	$(PY) benchmarks/tutorials.py
	$(PY) benchmarks/trends.py
	$(PY) benchmarks/diarization.py
	$(PY) benchmarks/distributed.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/gui_large.py

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	# The speaker encoder's weights, without the package's dependencies (pyproject.toml).
	$(PY) -m pip install -q --no-deps resemblyzer==0.1.4
	touch $(STAMP)

# Qt draws on X11 through its xcb plugin, which loads system libraries a minimal Debian or
# Ubuntu lacks (libxcb-icccm4, libxcb-keysyms1, ...); `ui.display_check` names the packages
# of the missing ones (by `ldd` on the plugin), and they are installed when missing.
gui-deps: $(STAMP)
	@pkgs="$$($(PY) -m ui.display_check --missing-packages)"; \
	if [ -n "$$pkgs" ]; then \
		if command -v apt-get >/dev/null 2>&1; then \
			echo "Installing the system libraries Qt needs to open a window: $$pkgs"; \
			$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$pkgs; \
		else \
			echo "Qt needs these libraries to open a window; install them: $$pkgs" >&2; \
		fi; \
	fi

# Test speech comes from espeak-ng (sox is handy for inspecting audio); the real-window test
# runs the app on Xvfb (xvfb-run needs xauth); the library tests start a PostgreSQL server of
# their own (Debian keeps initdb and pg_ctl in /usr/lib/postgresql/VERSION/bin, off PATH),
# the worker tests a Redis server (redis-server) on 127.0.0.1.
# Installed when missing, then Qt's libraries.
system-deps: gui-deps
	@missing=""; \
	for tool in espeak-ng:espeak-ng sox:sox xvfb-run:xvfb xauth:xauth redis-server:redis-server; do \
		command -v $${tool%%:*} >/dev/null 2>&1 || missing="$$missing $${tool#*:}"; \
	done; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
