"""The EventBridge rules of template.yaml that start the workflow, matched by moto's EventPattern.

Our alarms' state changes (ALARM and OK) and RDS events of our two instances start it; foreign alarms, other
accounts, other states and other databases do not.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from autopilot_cli.embedded.seed_stack import ACCOUNT, PRIMARY_DB, REGION, REPLICA_DB, STACK_NAME
from autopilot_cli.embedded.template_intrinsics import resources_of_type
from autopilot_cli.template_model import Resolver, load_template
from moto.events.models import EventPattern

from tests.workflow.conftest import load_event

ALARM_EVENTS = "AlarmStateChange"
RDS_EVENTS = "RdsInstanceEvent"


def rule_pattern(event_name: str) -> EventPattern:
    """The rule's pattern as CloudFormation would create it for the embedded stack."""
    resolver = Resolver(
        load_template(),
        stack_name=STACK_NAME,
        region=REGION,
        account=ACCOUNT,
        physical_ids={"PrimaryDatabase": PRIMARY_DB, "ReplicaDatabase": REPLICA_DB},
    )
    for alarm, resource in resources_of_type(resolver.template, "AWS::CloudWatch::Alarm").items():
        resolver.physical_ids[alarm] = resolver.resolve(resource["Properties"]["AlarmName"])  # Ref of an alarm
    events = resolver.template["Resources"]["RemediationStateMachine"]["Properties"]["Events"]
    assert events[event_name]["Type"] == "EventBridgeRule"
    return EventPattern.load(json.dumps(resolver.resolve(events[event_name]["Properties"]["Pattern"])))


def with_state(event: dict[str, Any], value: str) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    changed["detail"]["state"]["value"] = value
    return changed


def test_every_rule_targets_the_state_machine_and_no_other_rule_does() -> None:
    events = load_template()["Resources"]["RemediationStateMachine"]["Properties"]["Events"]
    assert sorted(events) == [ALARM_EVENTS, RDS_EVENTS]


@pytest.mark.parametrize(
    "name", ["workflow-cpu-emergency.json", "workflow-cpu-recovered.json", "workflow-replica-lag.json"]
)
def test_our_alarm_state_changes_match(name: str) -> None:
    assert rule_pattern(ALARM_EVENTS).matches_event(load_event(name))


def test_insufficient_data_does_not_start_the_workflow() -> None:
    event = with_state(load_event("workflow-cpu-emergency.json"), "INSUFFICIENT_DATA")
    assert not rule_pattern(ALARM_EVENTS).matches_event(event)


@pytest.mark.parametrize(
    "name",
    [
        "workflow-foreign-alarm.json",
        "workflow-other-account-alarm.json",
        "alarm-sample-single-metric.json",
        "alarm-sample-metric-math.json",
        "alarm-sample-composite.json",
    ],
)
def test_foreign_alarms_and_other_accounts_do_not_match(name: str) -> None:
    assert not rule_pattern(ALARM_EVENTS).matches_event(load_event(name))


def test_an_alarm_whose_name_only_contains_the_stack_name_does_not_match() -> None:
    event = load_event("workflow-cpu-emergency.json")
    event["detail"]["alarmName"] = f"copy-of-{STACK_NAME}-cpu-emergency"
    assert not rule_pattern(ALARM_EVENTS).matches_event(event)


def test_the_alarm_rule_does_not_take_rds_events() -> None:
    assert not rule_pattern(ALARM_EVENTS).matches_event(load_event("workflow-rds-primary-failure.json"))


@pytest.mark.parametrize("instance", [PRIMARY_DB, REPLICA_DB])
def test_rds_events_of_our_instances_match(instance: str) -> None:
    event = load_event("workflow-rds-primary-failure.json")
    event["detail"]["SourceIdentifier"] = f"rds:{instance}"  # as real events carry it
    event["resources"] = [f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{instance}"]
    assert rule_pattern(RDS_EVENTS).matches_event(event)


@pytest.mark.parametrize("category", ["backup", "maintenance", "notification", "configuration change"])
def test_rds_events_the_checks_do_not_use_do_not_start_the_workflow(category: str) -> None:
    event = load_event("workflow-rds-primary-failure.json")
    event["detail"]["EventCategories"] = [category]
    assert not rule_pattern(RDS_EVENTS).matches_event(event)


def test_a_dev_stacks_alarm_does_not_match_the_prod_rule() -> None:
    event = load_event("workflow-cpu-emergency.json")
    event["detail"]["alarmName"] = f"{STACK_NAME}-dev-cpu-emergency"
    assert not rule_pattern(ALARM_EVENTS).matches_event(event)


def test_rds_events_of_other_instances_and_accounts_do_not_match() -> None:
    pattern = rule_pattern(RDS_EVENTS)
    assert not pattern.matches_event(load_event("workflow-rds-other-instance.json"))
    foreign = load_event("workflow-rds-primary-failure.json")
    foreign["account"] = "210987654321"
    assert not pattern.matches_event(foreign)
    assert not pattern.matches_event(load_event("workflow-cpu-emergency.json"))
