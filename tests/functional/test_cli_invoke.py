"""``autopilot invoke`` against the embedded AWS daemon: the acceptance path of the emergency function."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from autopilot_cli.embedded import session
from autopilot_cli.embedded.workflow import wait_for
from autopilot_cli.main import app
from typer.testing import CliRunner

EVENTS = Path(__file__).resolve().parents[2] / "events"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["invoke", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_invoke_raises_the_floor_once(embedded: None) -> None:
    code, out, _ = invoke("EmergencyScaleFunction", "--event", str(EVENTS / "alarm-cpu-emergency.json"))
    assert code == 0
    first = json.loads(out)
    assert (first["action"], first["from_min"], first["to_min"], first["taken"]) == ("raise_floor", 3, 6, True)
    code, out, _ = invoke("EmergencyScaleFunction", "--event", str(EVENTS / "alarm-cpu-emergency.json"))
    again = json.loads(out)
    assert code == 0 and again["replayed"] is True and again["taken"] is False
    code, out, _ = invoke("AssessFunction", "--event", str(EVENTS / "alarm-cpu-emergency.json"))
    state = json.loads(out)
    assert state["target"]["min"] == 6 and state["service"]["desired"] == 6  # the AAS actuator followed


def test_malformed_event_exits_non_zero_naming_the_field(embedded: None, tmp_path: Path) -> None:
    event = json.loads((EVENTS / "alarm-cpu-emergency.json").read_text())
    event["detail"]["state"]["value"] = "ON_FIRE"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(event))
    code, out, err = invoke("EmergencyScaleFunction", "--event", str(bad))
    assert code == 1 and out == ""
    assert "detail.state.value" in err


def test_bad_file_and_unknown_function_exit_2(embedded: None, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, _, err = invoke("EmergencyScaleFunction", "--event", str(broken))
    assert code == 2 and "not valid JSON" in err
    code, _, err = invoke("NoSuchFunction", "--event", str(EVENTS / "alarm-cpu-emergency.json"))
    assert code == 2 and "no function 'NoSuchFunction'" in err


def test_status_shows_the_lease_after_the_raise(embedded: None) -> None:
    invoke("EmergencyScaleFunction", "--event", str(EVENTS / "alarm-cpu-emergency.json"))
    result = CliRunner().invoke(app, ["status", "--json"])
    assert result.exit_code == 0
    status = json.loads(result.stdout)
    assert status["target"]["min"] == 6
    assert [(lease["original_min"], lease["leased_min"]) for lease in status["leases"]] == [(3, 6)]
    assert [d["action"] for d in status["recent_decisions"]][:1] == ["raise_floor"]
    assert "sensor-autopilot-cpu-emergency" in status["alarms_in_alarm"]  # the injected event's state, mirrored


def test_run_stops_at_an_approval_and_approve_raises_max(embedded: None, tmp_path: Path) -> None:
    with session.embedded_aws():
        boto3.client("ecs").update_service(cluster="sensor-app-cluster", service="sensor-app-service", desiredCount=20)
    event = json.loads((EVENTS / "alarm-cpu-emergency.json").read_text())
    event["time"], event["detail"]["state"]["timestamp"] = "2026-11-27T18:00:05Z", "2026-11-27T18:00:05.000+0000"
    at_max = tmp_path / "at-max.json"
    at_max.write_text(json.dumps(event))
    started = CliRunner().invoke(app, ["run", "--event", str(at_max)])
    assert started.exit_code == 0, started.stderr
    waiting = json.loads(started.stdout)
    assert waiting["status"] == "WAITING_FOR_APPROVAL" and "task_token" not in waiting
    assert f"autopilot approve {waiting['approval_id']}" in started.stderr
    answered = CliRunner().invoke(app, ["approve", waiting["approval_id"], "--comment", "go", "--json"])
    assert answered.exit_code == 0, answered.stderr
    reply = json.loads(answered.stdout)
    assert (reply["outcome"], reply["approval"]["kind"]) == ("approved", "raise_max")
    assert reply["approval"]["answered_by"].startswith("arn:aws:") and "task_token" not in reply["approval"]
    with session.embedded_aws() as handle:
        finished = wait_for(waiting["execution_arn"], handle.region, timeout=60)
    assert finished.status == "SUCCEEDED"
    status = json.loads(CliRunner().invoke(app, ["status", "--json"]).stdout)
    assert status["target"]["max"] == 25
    again = CliRunner().invoke(app, ["reject", waiting["approval_id"]])
    assert again.exit_code == 1 and "already approved" in again.stderr
    bogus = CliRunner().invoke(app, ["approve", "0123456789ab"])
    assert bogus.exit_code == 1 and "no approval '0123456789ab'" in bogus.stderr
