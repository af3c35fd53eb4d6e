"""The benchmark's Markdown: rendered from the results, and put in its own section of docs/benchmarks.md."""

from __future__ import annotations

from typing import Any

from bench.service.report import SECTION, render, replace_section


def target(share: float) -> dict[str, Any]:
    return {
        "key": "coalesced_vs_healthz",
        "name": "coalesced single ingest >= 60 % of /healthz",
        "measured": f"{share:.1%}",
        "met": share >= 0.6,
        "short_by": f"{(0.6 - share) * 100:.1f} points",
        "rounds": [f"{share:.1%}"],
        "round_met": [share >= 0.6],
    }


def results(wrk_share: float, h2load_share: float) -> dict[str, Any]:
    scenario = {"rps": 1000.0, "readings_per_s": 1000.0, "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0}
    names = ("healthz", "single_coalesced", "single_uncoalesced", "batch", "raw_copy", "replica_read")
    per_server = {
        "rss_mb": 80.0,
        "wrk": {"scenarios": {name: dict(scenario) for name in names}, "targets": [target(wrk_share)]},
        "h2load": {"scenarios": {name: dict(scenario) for name in names}, "targets": [target(h2load_share)]},
    }
    return {
        "command": "make bench-service",
        "date": "2024-05-01",
        "connections": 1000,
        "workers": 4,
        "budget": 24,
        "batch": 100,
        "copy_batch": 1000,
        "seconds": 10,
        "rounds": 1,
        "image_server": "uvicorn",
        "clients": ["wrk", "h2load"],
        "environment": {"cpus": 2, "cpu_model": "x", "postgres": "15", "wrk": "wrk 4", "h2load": "h2load 1",
                        "servers": {"uvicorn": "uvicorn 1", "granian": "granian 2"},
                        "load_before": "1", "load_after": "2", "load_per_round": ["1"]},
        "servers": {"uvicorn": per_server, "granian": per_server},
        "notes": "",
    }  # fmt: skip


def test_a_target_missed_by_one_client_is_not_met_and_says_by_how_much() -> None:
    text = render(results(0.65, 0.42))
    assert "| coalesced single ingest >= 60 % of /healthz | 65.0% | 65.0% | 42.0% | 42.0% | **no** |" in text
    assert "(h2load): 42.0%, short by 18.0 points" in text and "~50 requests/second per task" in text


def test_a_target_met_by_both_clients_has_no_shortfall_note() -> None:
    text = render(results(0.61, 0.63))
    assert "| 61.0% | 61.0% | 63.0% | 63.0% | yes |" in text and "Short of target" not in text
    assert "| resident memory per worker (after the ingest scenarios) | 80 MB |" in text


def test_the_section_replaces_only_itself() -> None:
    document = f"# Benchmarks\n\n{SECTION}\n\nold figures\n\n## Control plane\n\nkept\n"
    updated = replace_section(document, f"{SECTION}\n\nnew figures\n")
    assert "old figures" not in updated and "new figures" in updated
    assert updated.index("new figures") < updated.index("## Control plane") and "kept" in updated
    assert replace_section("", f"{SECTION}\n\nfirst\n").startswith("# Benchmarks\n\n## Sensor API")
    appended = replace_section("# Benchmarks\n\n## Control plane\n\nkept\n", f"{SECTION}\n\nx\n")
    assert appended.endswith(f"{SECTION}\n\nx\n") and "kept" in appended
