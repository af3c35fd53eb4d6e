# Sensor API targets (included by the root Makefile, which defines install, PY and VENV).
.PHONY: migrate bench-service profile-service

# Apply the schema migrations to DATABASE_URL (or DB_HOST/DB_NAME/DB_USER/DB_PASSWORD); safe to run
# while the service runs: every migrator takes the same advisory lock.
migrate: install
	$(PY) -m sensor_api.migrate

# Two independent clients (wrk and h2load) at 1,000 connections against the service on loopback (4 workers,
# primary + streaming replica), under uvicorn and under granian; writes bench/results/service.json and the
# "## Sensor API" section of docs/benchmarks.md. Installs what it needs when missing.
GRANIAN_VERSION := 2.8.9
PY_SPY_VERSION := 0.4.3
bench-service: install pg
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	@command -v h2load >/dev/null || { apt-get update -qq && apt-get install -y -qq nghttp2-client; }
	@$(PY) -c "import granian" 2>/dev/null || $(PY) -m pip install --quiet granian==$(GRANIAN_VERSION)
	$(PY) -m bench.service.run

# Where a loaded worker spends its time: `make profile-service PID=<worker pid>` (py-spy, 10 s, speedscope JSON under $$TMPDIR).
profile-service: install
	@test -n "$(PID)" || { echo "usage: make profile-service PID=<pid of a uvicorn or granian worker under load>" >&2; exit 2; }
	@test -x $(VENV)/bin/py-spy || $(PY) -m pip install --quiet py-spy==$(PY_SPY_VERSION)
	$(VENV)/bin/py-spy record -p $(PID) -d 10 -r 200 --format speedscope -o $${TMPDIR:-/tmp}/sensor-api-profile-$(PID).json
