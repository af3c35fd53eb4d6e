"""1,000 concurrent clients against the sensor API: zero errors, every acknowledged reading stored once.

As a test: `pytest tests/load` (service started on loopback with 4 workers, primary + replica), or
`pytest tests/load --url https://api.example.com --api-key <admin key>` against a deployment.
As a script (the seed's `python3 test_1000_concurrent.py`):
`python tests/load/test_1000_concurrent.py --url https://api.example.com --api-key <admin key>`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter

import pytest
from load_support import WRITES_PER_CLIENT, LoadReport, Target, run_load, stored_through_api

pytestmark = [pytest.mark.load, pytest.mark.timeout(240)]


async def verify_stored(target: Target, report: LoadReport) -> list[str]:
    """Problems found: acknowledged readings missing, or stored more than once."""
    problems = []
    for sensor_id, acked in report.acknowledged.items():
        stored = Counter(await stored_through_api(target, sensor_id))
        missing = sorted(acked - set(stored))
        twice = sorted(v for v, n in stored.items() if n > 1)
        if missing or twice:
            problems.append(f"sensor {sensor_id}: missing {missing[:10]}, stored twice {twice[:10]}")
    return problems


async def test_1000_concurrent_clients_mixed_writes_and_reads(target: Target) -> None:
    report = await run_load(target)
    print(report.summary())
    assert report.peak_in_flight >= min(target.clients, 1000)
    assert not report.errors, f"transport errors: {dict(report.errors)}"
    assert set(report.statuses) <= {200, 201}, f"non-2xx responses: {dict(report.statuses)}"
    assert sum(len(v) for v in report.acknowledged.values()) == target.clients * WRITES_PER_CLIENT
    assert await verify_stored(target, report) == []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="base URL of the sensor API")
    parser.add_argument("--api-key", required=True, help="admin API key (registers the test sensors)")
    parser.add_argument("--clients", type=int, default=1000)
    args = parser.parse_args(argv)
    target = Target(args.url.rstrip("/"), args.api_key, args.clients)
    report = asyncio.run(run_load(target))
    print(report.summary())
    problems = asyncio.run(verify_stored(target, report))
    for problem in problems:
        print(problem)
    ok = not report.errors and set(report.statuses) <= {200, 201} and not problems
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
