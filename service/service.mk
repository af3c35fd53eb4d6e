# Sensor API targets (included by the root Makefile, which defines install, PY and VENV).
.PHONY: migrate bench-service

# Apply the schema migrations to DATABASE_URL (or DB_HOST/DB_NAME/DB_USER/DB_PASSWORD); safe to run
# while the service runs: every migrator takes the same advisory lock.
migrate: install
	$(PY) -m sensor_api.migrate

# wrk at 1,000 connections against the service on loopback (4 workers, primary + streaming replica);
# writes bench/results/service.json and the "## Sensor API" section of docs/benchmarks.md.
bench-service: install pg
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(PY) -m bench.service.run
