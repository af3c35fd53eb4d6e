"""h2load (nghttp2) as a second, independent load generator: HTTP/1.1, one request in flight per
connection like wrk, one URL per run; latencies come from its per-request log."""

from __future__ import annotations

import re
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.service.load_result import LoadResult


@dataclass(frozen=True)
class H2Request:
    """One scenario for h2load: a path, its headers and, for a POST, the body (sent with every request)."""

    path: str
    headers: dict[str, str]
    body: bytes | None = None


@dataclass(frozen=True)
class H2Result(LoadResult):
    kinds: dict[str, int]
    p50_ms: float
    p99_ms: float
    unavailable: int = 0  # 503s (from the request log), counted among the failed


SUMMARY = re.compile(r"finished in ([\d.]+)s, ([\d.]+) req/s")
REQUESTS = re.compile(
    r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout"
)
STATUS = re.compile(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def parse(text: str, log: str) -> H2Result:
    summary, counts, codes = SUMMARY.search(text), REQUESTS.search(text), STATUS.search(text)
    if summary is None or counts is None or codes is None:
        raise RuntimeError(f"h2load printed no summary; its output was:\n{text[-2000:]}")
    _, done, _, failed, errored, timeout = (int(g) for g in counts.groups())
    _, c3xx, c4xx, c5xx = (int(g) for g in codes.groups())
    entries = [line.split("\t") for line in log.splitlines() if line.count("\t") == 2]  # start, status, duration
    latencies = [int(entry[2]) / 1000 for entry in entries]
    rps = float(summary.group(2))
    # "failed" counts every request that did not succeed (error statuses, stream errors, timeouts)
    errors = {"failed": failed}
    kinds = {"errored": errored, "timeout": timeout, "3xx": c3xx, "4xx": c4xx, "5xx": c5xx}
    return H2Result(
        requests=done,
        seconds=done / rps if rps else float(summary.group(1)),
        errors=errors,
        kinds=kinds,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p99_ms=percentile(latencies, 0.99),
        unavailable=sum(entry[1] == "503" for entry in entries),
    )


def run_h2load(url: str, request: H2Request, connections: int, seconds: float, threads: int = 2) -> H2Result:
    """`connections` HTTP/1.1 connections for `seconds` (after a 1 s warm-up); a request slower than 30 s
    is a timeout."""
    with tempfile.TemporaryDirectory(prefix="h2load-") as folder:
        log = Path(folder) / "requests.log"
        cmd = ["h2load", "--h1", "-c", str(connections), "-t", str(threads), "-D", f"{seconds:g}"]
        cmd += ["--warm-up-time", "1", "-T", "30", "--log-file", str(log)]
        for name, value in request.headers.items():
            cmd += ["-H", f"{name}: {value}"]
        if request.body is not None:
            body = Path(folder) / "body.json"
            body.write_bytes(request.body)
            cmd += ["-d", str(body), "-H", "Content-Type: application/json"]
        cmd.append(url + request.path)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"h2load failed ({done.returncode}): {done.stderr.strip() or done.stdout[-2000:]}")
        return parse(done.stdout, log.read_text(encoding="utf-8", errors="replace") if log.exists() else "")
