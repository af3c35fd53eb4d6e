"""Every alarm the workflow routes exists, and every alarm of the template is routed where it should go.

Routing has two halves: the EventBridge rule (which state changes start the workflow) and the Assess step's
classification (which path they take). Both are checked against state-change events built from the template's
own alarm properties, the way CloudWatch sends them.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from autopilot.logic.classify import classify
from autopilot.models.triggers import parse_trigger
from autopilot_cli.embedded.seed_stack import bind_control_plane
from autopilot_cli.embedded.template_intrinsics import properties, resolve, resources_of_type
from autopilot_cli.embedded.template_resources import bind_workload
from autopilot_cli.template_model import Resolver
from moto.events.models import EventPattern

from tests.template.conftest import REGION, ROOT

ACCOUNT = "123456789012"
STACK = "sensor-autopilot"
# Alarm → the workflow's path on ALARM and on OK.
EXPECTED_PATHS = {
    "cpu-emergency": ("scale-out", "recovered"),
    "at-max-capacity": ("scale-out", "recovered"),
    "replica-lag": ("database", "unknown"),
    "db-connections": ("database", "unknown"),
    "db-cpu": ("database", "unknown"),
    "db-free-storage": ("database", "unknown"),
    "p99-latency": ("unknown", "unknown"),
    "5xx-rate": ("unknown", "unknown"),
}
# The control plane's own alarms: they notify the topic and start nothing.
OPS_ALARMS = {
    *(
        f"ops-{name}-errors-throttles"
        for name in (
            *("assess", "emergency-scale", "restore-capacity", "sweeper"),
            *("replica-check", "promote-replica", "cost-report", "notify"),
        )
    ),
    "ops-workflow-failures",
    "ops-sweeper-heartbeat",
}
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{STACK}-notifications"


@pytest.fixture(scope="module")
def resolver(template: dict[str, Any]) -> Resolver:
    bound = Resolver(copy.deepcopy(template), stack_name=STACK, region=REGION, account=ACCOUNT)
    bind_workload(
        bound,
        cluster="sensor-app-cluster",
        service="sensor-app-service",
        load_balancer_arn=f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/alb/1234567890abcdef",
        target_group_arn=f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/tg/1234567890abcdef",
        primary="sensor-postgres-high-perf",
        replica="sensor-postgres-high-perf-replica",
    )
    for policy in resources_of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy"):
        bound.physical_ids[policy] = f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:{policy}"
    bind_control_plane(bound)
    bound.physical_ids["NotificationTopic"] = TOPIC_ARN
    for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm"):
        bound.physical_ids[alarm] = str(resolve(bound, template["Resources"][alarm]["Properties"]["AlarmName"]))
    return bound


@pytest.fixture(scope="module")
def alarms(resolver: Resolver) -> dict[str, dict[str, Any]]:
    """Alarm name suffix → the alarm's resolved properties."""
    found = {}
    for logical_id in resources_of_type(resolver.template, "AWS::CloudWatch::Alarm"):
        props = properties(resolver, logical_id)
        assert props is not None
        found[str(props["AlarmName"]).removeprefix(f"{STACK}-")] = props
    return found


def _metrics(props: dict[str, Any]) -> list[dict[str, Any]]:
    """The alarm's configuration.metrics as CloudWatch puts it in the state-change event."""

    def stat(metric: dict[str, Any], period: Any, statistic: Any) -> dict[str, Any]:
        dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
        named = {"namespace": metric["Namespace"], "name": metric["MetricName"], "dimensions": dimensions}
        return {"metric": named, "period": period, "stat": statistic}

    if "Metrics" not in props:
        single = stat(props, props["Period"], props.get("Statistic") or props.get("ExtendedStatistic"))
        return [{"id": "m1", "metricStat": single, "returnData": True}]
    return [
        {"id": query["Id"], "expression": query["Expression"], "returnData": query.get("ReturnData", True)}
        if "Expression" in query
        else {
            "id": query["Id"],
            "metricStat": stat(
                query["MetricStat"]["Metric"], query["MetricStat"]["Period"], query["MetricStat"]["Stat"]
            ),
            "returnData": query.get("ReturnData", True),
        }
        for query in props["Metrics"]
    ]


def state_change(props: dict[str, Any], state: str) -> dict[str, Any]:
    name = props["AlarmName"]
    return {
        "version": "0",
        "id": f"routing-{name}-{state}",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ACCOUNT,
        "time": "2026-11-27T14:00:05Z",
        "region": REGION,
        "resources": [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"],
        "detail": {
            "alarmName": name,
            "state": {"value": state, "reason": "test", "timestamp": "2026-11-27T14:00:05.000+0000"},
            "previousState": {"value": "OK", "reason": "test", "timestamp": "2026-11-27T13:00:05.000+0000"},
            "configuration": {"description": props.get("AlarmDescription", ""), "metrics": _metrics(props)},
        },
    }


def _alarm_rule_patterns(resolver: Resolver) -> list[EventPattern]:
    """Patterns of every rule (state machine event or AWS::Events::Rule) that takes CloudWatch alarm events."""
    patterns = []
    for resource in resolver.template["Resources"].values():
        events = resource.get("Properties", {}).get("Events", {}) if "Serverless" in resource["Type"] else {}
        raw = [
            e["Properties"]["Pattern"]
            for e in events.values()
            if e.get("Type") in ("EventBridgeRule", "CloudWatchEvent")
        ]
        if resource["Type"] == "AWS::Events::Rule" and "EventPattern" in resource["Properties"]:
            raw.append(resource["Properties"]["EventPattern"])
        patterns += [p for p in raw if "aws.cloudwatch" in json.dumps(p)]
    assert patterns, "no EventBridge rule takes CloudWatch alarm state changes"
    return [EventPattern.load(json.dumps(resolve(resolver, pattern))) for pattern in patterns]


def test_the_template_has_the_control_plane_alarms(alarms: dict[str, dict[str, Any]]) -> None:
    assert set(alarms) == set(EXPECTED_PATHS) | OPS_ALARMS


@pytest.mark.parametrize("state", ["ALARM", "OK"])
def test_the_control_planes_own_alarms_notify_the_topic_and_start_nothing(
    resolver: Resolver, alarms: dict[str, dict[str, Any]], state: str
) -> None:
    patterns = _alarm_rule_patterns(resolver)
    routed = [name for name in OPS_ALARMS if any(p.matches_event(state_change(alarms[name], state)) for p in patterns)]
    assert not routed, f"{state} of these alarms would start the workflow: {routed}"
    assert {name: alarms[name].get("AlarmActions") for name in OPS_ALARMS} == {name: [TOPIC_ARN] for name in OPS_ALARMS}


@pytest.mark.parametrize("state", ["ALARM", "OK"])
def test_every_alarm_state_change_starts_the_workflow(
    resolver: Resolver, alarms: dict[str, dict[str, Any]], state: str
) -> None:
    patterns = _alarm_rule_patterns(resolver)
    unrouted = [
        name
        for name, props in alarms.items()
        if name in EXPECTED_PATHS and not any(p.matches_event(state_change(props, state)) for p in patterns)
    ]
    assert not unrouted, f"{state} of these alarms starts nothing: {unrouted}"


def test_each_alarm_takes_its_path_through_the_workflow(alarms: dict[str, dict[str, Any]]) -> None:
    taken = {
        name: tuple(classify(parse_trigger(state_change(props, state)))[0] for state in ("ALARM", "OK"))
        for name, props in alarms.items()
        if name in EXPECTED_PATHS
    }
    assert taken == EXPECTED_PATHS


def test_every_alarm_named_by_the_workflows_events_exists(alarms: dict[str, dict[str, Any]]) -> None:
    named = set()
    for path in (ROOT / "events").glob("*.json"):
        event = json.loads(path.read_text())
        trigger = event.get("trigger", event)
        name = str(trigger.get("detail", {}).get("alarmName", ""))
        if name.startswith(f"{STACK}-") and trigger.get("account") == ACCOUNT:
            named.add(name.removeprefix(f"{STACK}-"))
    assert named, "no sample event names one of our alarms"
    assert named - set(alarms) == set(), "sample events route alarms the template does not have"
