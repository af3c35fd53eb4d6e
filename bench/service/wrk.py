"""wrk as the load generator: Lua scripts for each scenario and the parsing of their JSON summary."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.service.load_result import LoadResult

# Printed by every script when wrk finishes: one JSON line the driver parses. "unavailable" counts the
# 503s among the status errors, in scripts that count them (COUNT_503: a response hook costs wrk CPU).
DONE = r"""
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local e = summary.errors
  local unavailable = 0
  for _, t in ipairs(threads) do unavailable = unavailable + (t:get("unavailable") or 0) end
  io.write(string.format(
    '\nWRK_JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "unavailable": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, unavailable,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""
COUNT_503 = r"""
unavailable = 0
response = function(status, headers, body)
  if status == 503 then unavailable = unavailable + 1 end
end
"""


def _sensor_table(sensors: list[tuple[str, str]]) -> str:
    rows = ",\n".join(f'  {{"{sensor_id}", "{key}"}}' for sensor_id, key in sensors)
    return f"local sensors = {{\n{rows}\n}}\n"


def healthz_script() -> str:
    return 'wrk.method = "GET"\nwrk.path = "/healthz"\n' + DONE


def single_ingest_script(sensors: list[tuple[str, str]], variants: int = 10) -> str:
    """One reading per request, round-robin over the sensors, stamped with the time the run started. The
    requests are built once (`variants` values per sensor), as in the batch script: building each one in
    Lua cost wrk more CPU than the server spends on some requests, on cores the server shares."""
    return (
        _sensor_table(sensors)
        + f"local variants = {variants}\n"
        + r"""
local requests = {}
init = function(args)
  local ts = os.date("!%Y-%m-%dT%H:%M:%SZ")
  for v = 1, variants do
    for i, s in ipairs(sensors) do
      local body = string.format('{"ts": "%s", "value": %d.25}', ts, v * #sensors + i)
      requests[#requests + 1] = wrk.format("POST", "/v1/sensors/" .. s[1] .. "/readings",
        {["Content-Type"] = "application/json", ["X-API-Key"] = s[2]}, body)
    end
  end
end
local counter = 0
request = function()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end
"""
        + DONE
    )


def batch_ingest_script(sensors: list[tuple[str, str]], batch: int, ts: str) -> str:
    """`batch` readings per request; the bodies are built once (wrk's own CPU stays out of the way)."""
    return (
        _sensor_table(sensors)
        + f"""
local batch, ts = {batch}, "{ts}"
"""
        + r"""
local requests = {}
init = function(args)
  for i, s in ipairs(sensors) do
    local parts = {}
    for j = 1, batch do parts[j] = string.format('{"ts": "%s", "value": %d.5}', ts, j) end
    local body = '{"readings": [' .. table.concat(parts, ",") .. ']}'
    requests[i] = wrk.format("POST", "/v1/sensors/" .. s[1] .. "/readings/batch",
      {["Content-Type"] = "application/json", ["X-API-Key"] = s[2]}, body)
  end
end
local counter = 0
request = function()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end
"""
        + DONE
    )


def read_script(sensors: list[tuple[str, str]], reader_key: str) -> str:
    """A page of 100 readings of one sensor, with the default (eventual) consistency: the replica."""
    return (
        _sensor_table(sensors)
        + f'local key = "{reader_key}"\n'
        + r"""
local counter = 0
request = function()
  counter = counter + 1
  local s = sensors[(counter % #sensors) + 1]
  return wrk.format("GET", "/v1/sensors/" .. s[1] .. "/readings?limit=100", {["X-API-Key"] = key})
end
"""
        + COUNT_503
        + DONE
    )


@dataclass(frozen=True)
class WrkResult(LoadResult):
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    unavailable: int = 0  # 503s, counted among the status errors


def parse_output(text: str) -> WrkResult:
    line = next((ln for ln in text.splitlines() if ln.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary; its output was:\n{text[-2000:]}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    errors = {k: int(data[k]) for k in ("connect", "read", "write", "status", "timeout")}
    return WrkResult(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        errors=errors,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        unavailable=int(data.get("unavailable", 0)),
    )


def run_wrk(url: str, script: Path, connections: int, seconds: float, threads: int = 2) -> WrkResult:
    """wrk with `connections` open connections; a request slower than 30 s counts as a timeout error."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s", "-s", str(script), url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout[-2000:]}")
    return parse_output(done.stdout)
