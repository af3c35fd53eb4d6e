"""Two stacks (prod with the scaling guide's names, dev named from its stack name) in one embedded account: no
physical name is shared, and neither stack's EventBridge rules route the other's alarms or database events
(moto's EventPattern matcher on the rules as each stack resolves them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from autopilot_cli.embedded.seed_stack import ACCOUNT, REGION, STACK_NAME, EmbeddedStack, seed_stack
from autopilot_cli.embedded.server import patched_environ
from autopilot_cli.embedded.template_intrinsics import resolve, resources_of_type
from autopilot_cli.template_model import TemplateError
from moto import mock_aws
from moto.events.models import EventPattern

from tests.helpers.aws_env import BASE_ENV

DEV = "sensor-autopilot-dev"
NAME_PROPERTIES = (
    *("ClusterName", "ServiceName", "Family", "DBInstanceIdentifier", "AlarmName", "DashboardName", "TableName"),
    *("TopicName", "BucketName", "Name", "LogGroupName", "PolicyName", "RuleName"),
)


@pytest.fixture(scope="module")
def stacks() -> Iterator[tuple[EmbeddedStack, EmbeddedStack]]:
    with patched_environ(BASE_ENV), mock_aws():
        prod = seed_stack()
        dev = seed_stack(stack_name=DEV, seed_names=False, parameters={"Environment": "dev"})
        yield prod, dev


def physical_names(stack: EmbeddedStack) -> dict[str, str]:
    """Logical ID.property → resolved physical name, for every named resource the stack resolves locally."""
    names = {}
    for logical_id, resource in stack.resolver.template["Resources"].items():
        props = resource.get("Properties", {})
        for prop in NAME_PROPERTIES:
            if prop == "Family" and resource["Type"] != "AWS::ECS::TaskDefinition":
                continue  # a parameter group's Family is its engine, not a name
            if isinstance(props.get(prop), str | dict):
                try:
                    names[f"{logical_id}.{prop}"] = str(resolve(stack.resolver, props[prop]))
                except TemplateError:
                    continue
    return names


def rule_patterns(stack: EmbeddedStack) -> dict[str, EventPattern]:
    events = stack.resolver.template["Resources"]["RemediationStateMachine"]["Properties"]["Events"]
    return {
        name: EventPattern.load(json.dumps(resolve(stack.resolver, event["Properties"]["Pattern"])))
        for name, event in events.items()
    }


def alarm_names(stack: EmbeddedStack) -> list[str]:
    return [
        stack.resolver.physical_ids[a] for a in resources_of_type(stack.resolver.template, "AWS::CloudWatch::Alarm")
    ]


def alarm_event(name: str) -> dict[str, Any]:
    return {
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ACCOUNT,
        "region": REGION,
        "resources": [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"],
        "detail": {"alarmName": name, "state": {"value": "ALARM"}},
    }


def rds_event(instance: str) -> dict[str, Any]:
    return {
        "detail-type": "RDS DB Instance Event",
        "source": "aws.rds",
        "account": ACCOUNT,
        "region": REGION,
        "resources": [f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{instance}"],
        "detail": {"EventCategories": ["failure"], "SourceIdentifier": f"rds:{instance}"},
    }


def test_prod_keeps_the_scaling_guides_names_and_dev_is_named_from_its_stack(
    stacks: tuple[EmbeddedStack, EmbeddedStack],
) -> None:
    prod, dev = stacks
    assert (prod.cluster, prod.service, prod.primary_id, prod.replica_id) == (
        "sensor-app-cluster",
        "sensor-app-service",
        "sensor-postgres-high-perf",
        "sensor-postgres-high-perf-replica",
    )
    assert prod.resolver.stack_name == STACK_NAME
    assert all(name.startswith(f"{DEV}-") for name in (dev.cluster, dev.service, dev.primary_id, dev.replica_id))


def test_no_physical_name_is_shared(stacks: tuple[EmbeddedStack, EmbeddedStack]) -> None:
    prod, dev = (physical_names(stack) for stack in stacks)
    assert len(prod) > 30, f"too few names resolved to compare: {sorted(prod)}"
    shared = {key: value for key, value in prod.items() if value in set(dev.values())}
    assert not shared, f"both stacks would create these names: {shared}"


def test_each_stacks_alarm_rule_routes_its_own_alarms_and_not_the_others(
    stacks: tuple[EmbeddedStack, EmbeddedStack],
) -> None:
    prod, dev = stacks
    for own, other in ((prod, dev), (dev, prod)):
        pattern = rule_patterns(own)["AlarmStateChange"]
        crossed = [name for name in alarm_names(other) if pattern.matches_event(alarm_event(name))]
        assert not crossed, f"{own.resolver.stack_name}'s rule routes {other.resolver.stack_name}'s alarms: {crossed}"
        routed = [name for name in alarm_names(own) if pattern.matches_event(alarm_event(name))]
        assert len(routed) == 8, f"{own.resolver.stack_name} routes {routed}"


def test_the_ops_alarms_start_no_workflow(stacks: tuple[EmbeddedStack, EmbeddedStack]) -> None:
    for stack in stacks:
        pattern = rule_patterns(stack)["AlarmStateChange"]
        ops = [name for name in alarm_names(stack) if "-ops-" in name]
        assert len(ops) == 10, ops
        assert not [name for name in ops if pattern.matches_event(alarm_event(name))]


def test_each_stacks_database_rule_takes_only_its_own_instances(stacks: tuple[EmbeddedStack, EmbeddedStack]) -> None:
    prod, dev = stacks
    for own, other in ((prod, dev), (dev, prod)):
        pattern = rule_patterns(own)["RdsInstanceEvent"]
        assert pattern.matches_event(rds_event(own.primary_id)) and pattern.matches_event(rds_event(own.replica_id))
        assert not pattern.matches_event(rds_event(other.primary_id))
        assert not pattern.matches_event(rds_event(other.replica_id))
