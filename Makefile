# Reverse-QE Monitor. Two commands on a fresh machine with Python 3.11:
#   make demo   run the whole pipeline offline on the bundled (synthetic) scenario
#   make test   run the whole test suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := False
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export RQE_WAREHOUSE := $(abspath $(or $(RQE_WAREHOUSE),warehouse/reverse_qe.duckdb))

PYTHON_BOOT := $(shell command -v python3.11 || command -v python3)
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
DBT := $(CURDIR)/$(VENV)/bin/dbt
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml

.PHONY: help setup manifest demo status real live test dev docs bench clean

help:
	@echo "make demo   run the pipeline offline on the synthetic scenario into $(RQE_WAREHOUSE)"
	@echo "make status the latest regime, score, bathtub and data freshness, from the published copy"
	@echo "make real   the pipeline over real downloads (REPLAY_DIR=..., or the real-download corpus beside the clone)"
	@echo "make live   the daily job against the real services (needs RQE_SEC_USER_AGENT; README 'Live mode')"
	@echo "make test   run all tests"
	@echo "make dev    Dagster UI on http://127.0.0.1:3000"

$(UV):
	$(PYTHON_BOOT) -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.8

# --compile-bytecode: every later process (each run, each dbt call, each test) then loads bytecode
# instead of compiling dagster, dbt and GX again, which a PYTHONDONTWRITEBYTECODE environment
# (CI here) would otherwise do every time; it costs ~8 s once (bench/run.py --only setup).
$(VENV)/.ready: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON_BOOT)
	@touch $@

setup: $(VENV)/.ready

$(MANIFEST): $(VENV)/.ready $(DBT_SOURCES)
	cd dbt_project && $(DBT) parse --quiet --profiles-dir .
	@touch $@

manifest: $(MANIFEST)

demo: $(MANIFEST)
	$(PY) -m orchestration.cli

# REPLAY_DIR: a directory of your downloads (README 'Replay layout'); without it, the real-download
# corpus beside the clone (REAL_CORPUS, default ../shared/real) is assembled into one.
REAL_CORPUS ?= $(abspath ../shared/real)
real: $(MANIFEST)
	$(PY) -m orchestration.real $(if $(REPLAY_DIR),--replay $(REPLAY_DIR),--corpus $(REAL_CORPUS)) $(REAL_FLAGS)

# Reads only the published copy (read-only): no dbt parse, no Dagster, safe during a run.
status: | $(VENV)/.ready
	@$(PY) -m orchestration.status

live: $(MANIFEST)
	@test -n "$$RQE_SEC_USER_AGENT" || { echo "make live: set RQE_SEC_USER_AGENT='Your Name you@example.com' (the SEC requires a contact); see README 'Live mode'" >&2; exit 2; }
	RQE_SOURCE=live $(PY) -m orchestration.cli

test: $(MANIFEST)
	$(PY) -m pytest -n 2 --dist loadfile -v --durations=15

# The webserver and the daemon (schedules, sensors, run monitoring) side by side, as `dagster dev`
# does, without its superseded command; Ctrl-C (or either one ending) stops both. Loopback only
# unless DEV_HOST says otherwise.
DEV_HOST ?= 127.0.0.1
DEV_PORT ?= 3000
dev: $(MANIFEST)
	@echo "Dagster UI on http://$(DEV_HOST):$(DEV_PORT) (webserver + daemon; Ctrl-C stops both)"
	@trap 'kill 0' EXIT; $(VENV)/bin/dagster-daemon run -w workspace.yaml & \
	  $(VENV)/bin/dagster-webserver -w workspace.yaml -h $(DEV_HOST) -p $(DEV_PORT)

docs: $(MANIFEST)
	cd dbt_project && $(DBT) docs generate --profiles-dir .
	@echo "dbt docs: dbt_project/target/index.html (serve with: cd dbt_project && $(DBT) docs serve --profiles-dir . --host 127.0.0.1)"

bench: $(MANIFEST)
	$(PY) -m bench.run

clean:
	rm -rf warehouse landing dbt_project/target dbt_project/logs .dagster_home/storage .dagster_home/logs .dagster_home/history
