"""The benchmark's clients: a read's 503s (a busy pool, answered with Retry-After) are counted apart."""

from __future__ import annotations

from bench.service import h2load, wrk

H2_OUTPUT = """finished in 10.00s, 300.00 req/s, 1MB/s
requests: 3000 total, 3000 started, 3000 done, 2990 succeeded, 10 failed, 0 errored, 0 timeout
status codes: 2990 2xx, 0 3xx, 0 4xx, 10 5xx
"""


def test_h2load_counts_the_503s_of_its_request_log() -> None:
    log = "".join(f"{i}\t{503 if i < 7 else 500 if i < 10 else 200}\t{1000 + i}\n" for i in range(3000))
    result = h2load.parse(H2_OUTPUT, log)
    assert result.error_count == 10 and result.unavailable == 7
    assert result.kinds["5xx"] == 10


def test_wrk_reads_the_503s_its_script_counted() -> None:
    line = (
        'WRK_JSON {"requests": 100, "duration_us": 1000000, "connect": 0, "read": 0, "write": 0, "status": 4, '
        '"timeout": 0, "unavailable": 3, "p50_us": 1, "p90_us": 2, "p99_us": 3, "max_us": 4}'
    )
    result = wrk.parse_output(f"Running 1s test\n{line}\n")
    assert result.error_count == 4 and result.unavailable == 3


def test_only_the_read_script_pays_for_a_response_hook() -> None:
    sensors = [("00000000-0000-0000-0000-000000000001", "key")]
    assert "response = function" in wrk.read_script(sensors, "reader")
    assert "response = function" not in wrk.single_ingest_script(sensors)
    assert "response = function" not in wrk.batch_ingest_script(sensors, 10, "2024-05-01T00:00:00Z")
