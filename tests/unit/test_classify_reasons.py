"""Which workflow path each trigger takes, and the reason it gives, for every kind of trigger."""

from __future__ import annotations

from typing import Any

import pytest
from autopilot.logic.classify import classify
from autopilot.models.triggers import parse_trigger

from tests.unit.test_triggers import load


def with_metric(alarm_name: str, namespace: str, metric: str, state: str = "ALARM") -> dict[str, Any]:
    event = load("alarm-cpu-emergency.json")
    event["detail"]["alarmName"] = alarm_name
    event["detail"]["state"]["value"] = state
    event["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"] |= {"namespace": namespace, "name": metric}
    return event


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "rds-primary-failure.json",
            ("database", "RDS event RDS-EVENT-0031 on sensor-postgres-high-perf: run the replica checks"),
        ),
        ("manual-scale-out.json", ("scale-out", "manual request by sre-on-call: launch traffic expected at 18:00")),
        (
            "replica-check-manual.json",
            ("database", "manual request by sre-on-call: API reports database write errors; check the replica"),
        ),
        (
            "schedule-sweeper.json",
            ("unknown", "scheduled events are handled by the sweeper and the cost report, not the workflow"),
        ),
        (
            "alarm-cpu-emergency.json",
            ("scale-out", "sensor-autopilot-cpu-emergency is in ALARM: service capacity alarm"),
        ),
        (
            "alarm-cpu-recovered.json",
            (
                "recovered",
                "sensor-autopilot-cpu-emergency returned to OK: a raised floor may come down after the cooldown",
            ),
        ),
    ],
)
def test_each_event_file_takes_its_path_for_its_reason(name: str, expected: tuple[str, str]) -> None:
    assert classify(parse_trigger(load(name))) == expected


def test_an_rds_event_without_an_event_id_still_names_the_instance() -> None:
    event = load("rds-primary-failure.json")
    del event["detail"]["EventID"]
    assert classify(parse_trigger(event)) == (
        "database",
        "RDS event  on sensor-postgres-high-perf: run the replica checks",
    )


def test_a_manual_request_of_another_kind_is_notify_only() -> None:
    event = load("manual-scale-out.json") | {"kind": "cost-report"}
    assert classify(parse_trigger(event)) == (
        "unknown",
        "manual cost-report request: handled outside the remediation workflow",
    )


@pytest.mark.parametrize(
    ("namespace", "metric", "expected"),
    [
        ("AWS/ECS", "MemoryUtilization", "scale-out"),
        ("ECS/ContainerInsights", "RunningTaskCount", "scale-out"),
        ("AWS/RDS", "CPUUtilization", "database"),
        ("AWS/ApplicationELB", "TargetResponseTime", "unknown"),
    ],
)
def test_an_alarm_is_recognised_by_its_metric(namespace: str, metric: str, expected: str) -> None:
    assert classify(parse_trigger(with_metric("sensor-autopilot-x", namespace, metric)))[0] == expected


@pytest.mark.parametrize(
    ("alarm_name", "expected"),
    [
        ("svc-at-max", "scale-out"),
        ("svc-service-cpu", "scale-out"),
        ("svc-replica-lag", "database"),
        ("svc-db-connections", "database"),
        ("orders-rds", "database"),
        ("svc-latency", "unknown"),
    ],
)
def test_an_alarm_on_an_unknown_metric_is_recognised_by_its_name(alarm_name: str, expected: str) -> None:
    assert classify(parse_trigger(with_metric(alarm_name, "Custom/App", "Errors")))[0] == expected


def test_a_database_alarm_back_to_ok_and_missing_data_are_notify_only() -> None:
    ok = classify(parse_trigger(with_metric("svc-replica-lag", "AWS/RDS", "ReplicaLag", state="OK")))
    assert ok == ("unknown", "svc-replica-lag went to OK: no automatic action for this alarm; notified")
    missing = classify(parse_trigger(with_metric("svc", "AWS/ECS", "CPUUtilization", state="INSUFFICIENT_DATA")))
    assert missing == ("unknown", "svc has insufficient data: nothing is decided on missing data")
