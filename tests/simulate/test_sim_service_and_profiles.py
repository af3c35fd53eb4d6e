"""The per-second service model, Fargate's start delay and the load profiles (hand-worked)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from autopilot_cli.simulate.config import bench_capacity
from autopilot_cli.simulate.fargate import Fleet
from autopilot_cli.simulate.profiles import LoadProfile, ProfileError, flash_crowd, from_file, load_profile, seed
from autopilot_cli.simulate.service_model import ServiceParams, step

PARAMS = ServiceParams(capacity_rps=200.0, workers=4, queue_timeout_s=30.0)


def test_under_capacity_everything_is_served_with_no_queue() -> None:
    sec = step(PARAMS, offered=300.0, healthy_tasks=3, backlog=0.0)
    # capacity 3 x 200 = 600 req/s; 300 served; CPU 2 + 98 x 300/600 = 51 %.
    assert (sec.served, sec.backlog, sec.dropped, sec.overloaded) == (300.0, 0.0, 0.0, False)
    assert sec.cpu_percent == pytest.approx(51.0)
    assert sec.p50_s <= sec.p99_s < 1.0


def test_above_capacity_requests_queue_then_drop_past_the_timeout() -> None:
    sec = step(PARAMS, offered=1000.0, healthy_tasks=3, backlog=0.0)
    # 600 served, 400 queued (under the 30 s x 600 = 18,000 limit), waiting 400 / 600 = 0.667 s.
    assert (sec.served, sec.backlog, sec.dropped, sec.overloaded) == (600.0, 400.0, 0.0, True)
    assert sec.p99_s == pytest.approx(4 / 200 + 400 / 600)
    full = step(PARAMS, offered=1000.0, healthy_tasks=3, backlog=18_000.0)
    # demand 19,000: 600 served, 18,400 left, 400 over the 18,000 limit are dropped.
    assert (full.dropped, full.backlog) == (400.0, 18_000.0)


def test_latency_grows_with_utilisation() -> None:
    p99s = [step(PARAMS, offered=load, healthy_tasks=3, backlog=0.0).p99_s for load in (100, 400, 550, 590)]
    assert p99s == sorted(p99s) and p99s[-1] > p99s[0]


def test_a_task_serves_after_its_start_delay_and_bills_while_draining() -> None:
    fleet = Fleet.settled(3, start_delay_s=60, drain_s=30)
    fleet.set_desired(5, now=100)
    assert (fleet.healthy(159), fleet.healthy(160), fleet.pending(159)) == (3, 5, 2)
    fleet.set_desired(2, now=200)  # three healthy tasks stop serving, billed 30 s more
    assert (fleet.healthy(200), fleet.billed(200), fleet.billed(230)) == (2, 5, 2)


def test_seed_profile_reads_the_scaling_guide_timeline_as_minutes_and_seconds() -> None:
    profile = seed()
    # "1:00 | 1000 req/s" and "3:30 | 3500 req/s"; linear between rows: 0:45 is 750 req/s.
    assert (profile.rate(60), profile.rate(210), profile.rate(45)) == (1000.0, 3500.0, 750.0)


def test_flash_crowd_is_a_tenfold_step_held_twenty_minutes() -> None:
    profile = flash_crowd()
    series = profile.series()
    assert (series[599], series[600], series[1799], series[1800]) == (150.0, 1500.0, 1500.0, 150.0)
    assert len(series) == profile.duration_s == 3600


def test_profiles_from_csv_and_yaml(tmp_path: Path) -> None:
    csv_file = tmp_path / "burst.csv"
    csv_file.write_text("seconds,rps\n0,10\n60,70\n")
    yaml_file = tmp_path / "burst.yaml"
    yaml_file.write_text("name: burst\npoints: [[0, 10], [60, 70]]\n")
    for path in (csv_file, yaml_file):
        assert load_profile(str(path)).rate(30) == 40.0


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (((0.0, 1.0),), "at least two"),
        (((5.0, 1.0), (10.0, 1.0)), "start at second 0"),
        (((0.0, 1.0), (0.0, 2.0)), "must increase"),
        (((0.0, 1.0), (10.0, -2.0)), ">= 0"),
    ],
)
def test_a_bad_profile_is_refused_with_what_to_fix(points: tuple[tuple[float, float], ...], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        LoadProfile("bad", points)


def test_unknown_profile_and_bad_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="unknown profile"):
        load_profile("tsunami")
    bad = tmp_path / "bad.yaml"
    bad.write_text("points: [[0, x], [1, 2]]\n")
    with pytest.raises(ProfileError, match="numbers"):
        from_file(bad)
    with pytest.raises(ProfileError, match="does not exist"):
        from_file(tmp_path / "missing.csv")


def test_bench_capacity_divides_the_coalesced_ingest_figure_by_the_safety_factor(tmp_path: Path) -> None:
    bench = tmp_path / "service.json"
    bench.write_text('{"scenarios": {"single_coalesced": {"rps": 8000.0}}}')
    assert bench_capacity(bench, 40.0)[0] == 200.0
    assert bench_capacity(tmp_path / "absent.json", 40.0)[0] == 50.0  # the scaling guide's ~50 req/s
    with pytest.raises(ValueError, match="safety factor"):
        bench_capacity(bench, 0)


def test_diurnal_starts_at_the_trough_peaks_twelve_hours_later_and_can_be_compressed() -> None:
    from autopilot_cli.simulate.profiles import diurnal

    day = diurnal(low=100.0, high=2500.0)
    assert (day.duration_s, day.rate(0), day.rate(12 * 3600)) == (86400, 100.0, 2500.0)
    hour = diurnal(hours=1)
    assert (hour.duration_s, hour.rate(1800)) == (3600, 2500.0)


def test_bench_capacity_reads_the_service_cpu_per_request_of_the_current_benchmark(tmp_path: Path) -> None:
    bench = tmp_path / "service.json"
    coalesced = {"rps": 2000.0, "service_cpu_us_per_request": 125.0}  # throughput on a busy machine; CPU per request
    bench.write_text(json.dumps({"servers": {"uvicorn": {"wrk": {"scenarios": {"single_coalesced": coalesced}}}}}))
    rps, source = bench_capacity(bench, 40.0)
    assert rps == 1_000_000 / 125.0 / 40.0 == 200.0  # 8,000 req/s per vCPU, / 40
    assert "per vCPU" in source
