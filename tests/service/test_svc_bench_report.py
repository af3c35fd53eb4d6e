"""The benchmark's Markdown: rendered from the results, and put in its own section of docs/benchmarks.md."""

from __future__ import annotations

from typing import Any

from bench.service.report import SECTION, render, replace_section


def results(share: float) -> dict[str, Any]:
    scenario = {"rps": 1000.0, "readings_per_s": 1000.0, "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0}
    target = {
        "key": "coalesced_vs_healthz",
        "name": "coalesced single ingest >= 50 % of /healthz",
        "measured": f"{share:.1%}",
        "met": share >= 0.5,
        "short_by": f"{(0.5 - share) * 100:.1f} points",
        "rounds": [f"{share:.1%}"],
        "round_met": [share >= 0.5],
    }
    names = ("healthz", "single_coalesced", "single_uncoalesced", "batch", "raw_copy", "replica_read")
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
        "environment": {"cpus": 2, "cpu_model": "x", "postgres": "15", "wrk": "wrk 4", "load_before": "1",
                        "load_after": "2", "load_per_round": ["1"]},
        "scenarios": {name: dict(scenario) for name in names},
        "targets": [target],
        "notes": "",
    }  # fmt: skip


def test_a_missed_target_is_reported_with_its_shortfall_and_reason() -> None:
    text = render(results(0.42))
    assert "| coalesced single ingest >= 50 % of /healthz | 42.0% | 42.0% | **no** |" in text
    assert "short by 8.0 points" in text and "~50 requests/second per task" in text


def test_a_met_target_has_no_shortfall_note() -> None:
    text = render(results(0.61))
    assert "| 61.0% | 61.0% | yes |" in text and "Short of target" not in text


def test_the_section_replaces_only_itself() -> None:
    document = f"# Benchmarks\n\n{SECTION}\n\nold figures\n\n## Control plane\n\nkept\n"
    updated = replace_section(document, f"{SECTION}\n\nnew figures\n")
    assert "old figures" not in updated and "new figures" in updated
    assert updated.index("new figures") < updated.index("## Control plane") and "kept" in updated
    assert replace_section("", f"{SECTION}\n\nfirst\n").startswith("# Benchmarks\n\n## Sensor API")
    appended = replace_section("# Benchmarks\n\n## Control plane\n\nkept\n", f"{SECTION}\n\nx\n")
    assert appended.endswith(f"{SECTION}\n\nx\n") and "kept" in appended
