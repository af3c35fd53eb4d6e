"""``autopilot doctor`` and ``autopilot dashboard --once`` against the embedded AWS daemon: the doctor is all OK
as the README configures the stack, and the scaling guide's pools (100 connections per task x 20 tasks) FAIL the
connection budget with the numbers and the fix."""

from __future__ import annotations

import json

from autopilot_cli.embedded import session
from autopilot_cli.embedded.seed_stack import CLUSTER, SERVICE
from autopilot_cli.main import app
from typer.testing import CliRunner

from tests.functional.test_doctor import configure_pools


def test_doctor_is_all_ok_on_the_readme_stack_then_fails_the_guides_pools(embedded: None) -> None:
    ok = CliRunner().invoke(app, ["doctor", "--now", "2026-11-27T14:00:10Z"])
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    assert "FAIL" not in ok.stdout and "WARN" not in ok.stdout and ok.stdout.count("OK") >= 14

    with session.embedded_aws() as handle:  # the guide's MAX_CONNECTIONS=100 per task: 4 workers x 25
        configure_pools(handle.region, CLUSTER, SERVICE, DB_POOL_SIZE="25", MAX_TASKS="20", DB_CONNECTION_BUDGET="2000")

    failed = CliRunner().invoke(app, ["doctor", "--json", "--now", "2026-11-27T14:00:10Z"])
    assert failed.exit_code == 2
    results = {r["check"]: r for r in json.loads(failed.stdout)}
    budget = results["connection-budget"]
    assert budget["status"] == "FAIL" and budget["issue"] == "Database connection errors"
    assert "100 connections per task (4 workers x 25): 2,000 at MaxCapacity 20" in budget["evidence"]
    assert "DB_CONNECTION_BUDGET=315" in budget["fix"]
    assert [name for name, r in results.items() if r["status"] != "OK"] == ["connection-budget"]


def test_dashboard_once_draws_one_frame_of_the_embedded_stack(embedded: None) -> None:
    drawn = CliRunner().invoke(app, ["dashboard", "--once"])
    assert drawn.exit_code == 0, drawn.stdout + drawn.stderr
    assert "sensor-app-cluster / sensor-app-service" in drawn.stdout and "running / desired" in drawn.stdout
    assert "cost now" in drawn.stdout and "Last actions" in drawn.stdout


def test_dashboard_refuses_a_frame_count_of_zero(embedded: None) -> None:
    refused = CliRunner().invoke(app, ["dashboard", "--frames", "0"])
    assert refused.exit_code == 2 and "frames" in refused.stderr
