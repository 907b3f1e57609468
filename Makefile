# careeros — every target sets up what it needs; a fresh machine needs only python3 + pip.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL ?= WARNING
export LITELLM_LOCAL_MODEL_COST_MAP := True
export TQDM_DISABLE := 1

.PHONY: venv demo test bench lint warehouse clean system-deps serve server server-stop server-status wheel-smoke

venv: $(VENV)/.installed

# Bytecode is compiled at install time: where PYTHONDONTWRITEBYTECODE is set (as on these machines) nothing is
# ever cached, and every process (each CLI command, Prefect server and flow run) compiled prefect, polars and
# numpy from source again: `import prefect` took 5.4 s instead of 1.3 s.
$(VENV)/.installed: requirements.lock pyproject.toml Makefile
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip sync --compile-bytecode --python $(PY) requirements.lock
	$(VENV)/bin/uv pip install --python $(PY) --no-deps -e .
	$(PY) -m compileall -q src flows tasks > /dev/null
	touch $@

# Debian packages the browser tests need (installed only when missing; needs root, as in CI).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian) for browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "WARNING: could not install chromium; browser tests will be skipped"; }
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
	  echo "installing postgresql (Debian) for the server-mode tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	  || echo "WARNING: could not install postgresql; server-mode tests will be skipped"; }

warehouse: venv
	$(VENV)/bin/careeros ingest

demo: venv
	$(VENV)/bin/careeros demo

# Tests run in TEST_WORKERS processes (pytest-xdist; one file stays on one worker, so module fixtures are shared):
# most tests wait on Prefect servers, subprocesses and the browser, so 3 workers fit 2 cores. TEST_WORKERS=0: serial.
TEST_WORKERS ?= 3
test: venv system-deps
	$(PY) -m pytest -q -p no:cacheprovider --durations=25 -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# Build the wheel, install it into a fresh venv in a temp dir (outside the checkout) and run the CLI from there.
wheel-smoke: venv
	.ci/wheel-smoke

bench: venv
	$(PY) benchmarks/run.py

lint: venv
	$(VENV)/bin/ruff check src flows tasks tests benchmarks
	$(VENV)/bin/mypy

# The home's Prefect server (127.0.0.1:$(PORT), auth on, SQLite under $$CAREEROS_HOME/prefect) plus every flow
# served with its schedule; UI at http://127.0.0.1:$(PORT), login = the contents of $$CAREEROS_HOME/prefect/auth.
# careeros commands find it by themselves ($$CAREEROS_HOME/prefect/server.json). Ctrl-C stops both.
PORT ?= 4200
serve: venv
	$(PY) -m careeros.ops serve --port $(PORT)

# Server mode: PostgreSQL under $$CAREEROS_HOME/pg, a Prefect server on it (auth, CORS, 127.0.0.1), the careeros
# work pool, every deployment and $(WORKERS) process workers; pid files under $$CAREEROS_HOME/server.
# postgresql is installed with apt-get when missing (root). Each flow run takes its careeros home as `home`.
WORKERS ?= 2
server: venv
	$(PY) -m careeros.ops.pgserver up --workers $(WORKERS)

server-stop: venv
	$(PY) -m careeros.ops.pgserver down

server-status: venv
	$(PY) -m careeros.ops.pgserver status

clean:
	rm -rf $(VENV) .careeros .pytest_cache
