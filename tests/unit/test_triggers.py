"""Every event shape we accept parses to one trigger; anything else fails with the bad field named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from autopilot.errors import InvalidEventError
from autopilot.logic.classify import classify
from autopilot.models.task_input import parse_task_input
from autopilot.models.triggers import parse_trigger

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


def direct_alarm_event() -> dict[str, Any]:
    detail = load("alarm-cpu-emergency.json")["detail"]
    return {
        "source": "aws.cloudwatch",
        "alarmArn": "arn:aws:cloudwatch:us-east-2:123456789012:alarm:sensor-autopilot-cpu-emergency",
        "accountId": "123456789012",
        "time": "2026-11-27T14:00:05.123+0000",
        "region": "us-east-2",
        "alarmData": detail,
    }


def test_eventbridge_alarm_normalises() -> None:
    trigger = parse_trigger(load("alarm-cpu-emergency.json"))
    alarm = trigger.alarm
    assert trigger.kind == "alarm" and alarm is not None
    assert alarm.state == "ALARM" and alarm.previous_state == "OK"
    assert alarm.observed_value == 95.1 and alarm.threshold == 85.0
    assert alarm.metric_namespaces == ["AWS/ECS"] and alarm.metric_names == ["CPUUtilization"]
    assert alarm.episode_key.endswith("|2026-11-27T14:00:05.123000+00:00")


def test_direct_alarm_event_gives_the_same_episode() -> None:
    via_rule = parse_trigger(load("alarm-cpu-emergency.json")).alarm
    direct = parse_trigger(direct_alarm_event()).alarm
    assert via_rule is not None and direct is not None
    assert direct.episode_key == via_rule.episode_key


def test_composite_alarm_is_recognised() -> None:
    event = load("alarm-cpu-emergency.json")
    event["detail"]["configuration"] = {"alarmRule": "ALARM(a) OR ALARM(b)"}
    event["detail"]["state"]["reasonData"] = json.dumps({"triggeringAlarms": [{"arn": "x", "state": {}}]})
    alarm = parse_trigger(event).alarm
    assert alarm is not None and alarm.composite and alarm.observed_value is None
    assert classify(parse_trigger(event))[0] == "scale-out"  # by name


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e["detail"]["state"].update(value="BROKEN"), "detail.state.value"),
        (lambda e: e["detail"].pop("alarmName"), "detail.alarmName"),
        (lambda e: e.update(resources=[]), "resources"),
        (lambda e: e["detail"]["state"].update(timestamp="yesterday"), "detail.state.timestamp"),
    ],
)
def test_malformed_alarm_names_the_field(mutate: Any, field: str) -> None:
    event = copy.deepcopy(load("alarm-cpu-emergency.json"))
    mutate(event)
    with pytest.raises(InvalidEventError, match=field.replace(".", r"\.")):
        parse_trigger(event)


def test_unknown_event_is_refused() -> None:
    with pytest.raises(InvalidEventError, match="not one we accept"):
        parse_trigger({"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2"})
    with pytest.raises(InvalidEventError, match="JSON object"):
        parse_trigger(["not", "an", "object"])


def test_manual_request_rejects_unknown_fields() -> None:
    event = load("manual-scale-out.json") | {"force": True}
    with pytest.raises(InvalidEventError, match="force"):
        parse_trigger(event)


def test_envelope_carries_now_and_dry_run() -> None:
    parsed = parse_task_input(
        {"trigger": load("alarm-cpu-emergency.json"), "now": "2026-11-27T15:00:00Z", "dry_run": True}
    )
    assert parsed.now is not None and parsed.now.hour == 15 and parsed.raw.dry_run is True
    bare = parse_task_input(load("alarm-cpu-emergency.json"))
    assert bare.now == bare.trigger.time


@pytest.mark.parametrize(
    ("event_name", "state", "expected"),
    [
        ("alarm-cpu-emergency.json", "ALARM", "scale-out"),
        ("alarm-cpu-emergency.json", "OK", "recovered"),
        ("alarm-cpu-emergency.json", "INSUFFICIENT_DATA", "unknown"),
    ],
)
def test_classify_cpu_alarm(event_name: str, state: str, expected: str) -> None:
    event = load(event_name)
    event["detail"]["state"]["value"] = state
    assert classify(parse_trigger(event))[0] == expected


def test_classify_database_alarm_by_namespace() -> None:
    event = load("alarm-cpu-emergency.json")
    event["detail"]["alarmName"] = "sensor-autopilot-something"
    event["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"] |= {
        "namespace": "AWS/RDS",
        "name": "ReplicaLag",
    }
    assert classify(parse_trigger(event))[0] == "database"


def test_classify_latency_alarm_is_notify_only() -> None:
    event = load("alarm-cpu-emergency.json")
    event["detail"]["alarmName"] = "sensor-autopilot-p99-latency"
    event["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"] |= {
        "namespace": "AWS/ApplicationELB",
        "name": "TargetResponseTime",
    }
    kind, why = classify(parse_trigger(event))
    assert kind == "unknown" and "no automatic action" in why
