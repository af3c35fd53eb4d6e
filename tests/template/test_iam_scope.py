"""IAM statements that change resources are scoped to this stack: no ``Resource: "*"`` on a mutating action
unless the API allows nothing else, and then with a comment saying so.

Checked on the transformed template (SAM's policy templates expanded into statements) and, for the comments,
on template.yaml's own text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.template.conftest import TEMPLATE
from tests.template.sam_transform import transformed_template

READ_VERBS = ("Describe", "List", "Get", "BatchGet", "Query", "Scan", "Search", "Lookup", "Head")
# Mutating APIs that have no resource-level permissions: "*" is the only resource IAM accepts for them.
STAR_ONLY = {
    "cloudwatch:PutMetricData",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "logs:CreateLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:PutResourcePolicy",
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def mutating(action: str) -> bool:
    _service, _, verb = action.partition(":")
    return "*" in verb or not verb.startswith(READ_VERBS)


def _statements(node: Any) -> Iterator[dict[str, Any]]:
    """Every statement of every policy document under a node."""
    if isinstance(node, dict):
        if isinstance(node.get("Statement"), list):
            yield from (s for s in node["Statement"] if isinstance(s, dict))
        for value in node.values():
            yield from _statements(value)
    elif isinstance(node, list):
        for value in node:
            yield from _statements(value)


def _allowed(statement: dict[str, Any]) -> list[str]:
    """Actions an identity policy statement allows. Trust and key policies name a Principal: in those, "*" is the
    resource the policy is attached to, not every resource, so they are not identity grants."""
    if statement.get("Effect") != "Allow" or "Resource" not in statement or "Principal" in statement:
        return []
    return [str(a) for a in _as_list(statement.get("Action", []))]


def test_mutating_actions_on_every_resource_are_only_those_without_resource_permissions() -> None:
    transformed = transformed_template()
    offending = [
        f"{name}: {action}"
        for name, resource in transformed["Resources"].items()
        for statement in _statements(resource.get("Properties", {}))
        if "*" in _as_list(statement.get("Resource"))
        for action in _allowed(statement)
        if mutating(action) and action not in STAR_ONLY
    ]
    assert not offending, f'mutating actions on Resource "*" (scope them to this stack): {offending}'


def test_mutating_actions_on_named_resources_stay_in_this_account_or_stack() -> None:
    transformed = transformed_template()
    logical_ids = set(transformed["Resources"])
    loose = []
    for name, resource in transformed["Resources"].items():
        for statement in _statements(resource.get("Properties", {})):
            if not any(mutating(action) for action in _allowed(statement)):
                continue
            for target in _as_list(statement.get("Resource")):
                text = json.dumps(target)
                scoped = "AWS::AccountId" in text or any(
                    f'"{logical}"' in text or f"${{{logical}}}" in text for logical in logical_ids
                )
                if target != "*" and not scoped:
                    loose.append(f"{name}: {text}")
    assert not loose, f"mutating statements on resources outside this account/stack: {loose}"


def test_every_star_resource_with_a_mutating_action_is_commented_in_the_template() -> None:
    lines = TEMPLATE.read_text().splitlines()
    from cfnlint.decode.cfn_yaml import load as load_cfn_yaml  # imported here: cfn-lint costs every worker a second

    template = load_cfn_yaml(str(TEMPLATE))  # cfn-lint's reader: its nodes keep their lines
    uncommented = []
    for name, resource in template["Resources"].items():
        for statement in _statements(resource.get("Properties", {})):
            if "*" not in _as_list(statement.get("Resource")) or not any(mutating(a) for a in _allowed(statement)):
                continue
            start, end = statement.start_mark.line, statement.end_mark.line
            if not any("#" in line for line in lines[start : end + 1]):
                uncommented.append(f"{name} (line {start + 1})")
    assert not uncommented, f'Resource "*" on mutating actions without a comment saying why: {uncommented}'


def test_read_verbs_are_told_from_mutating_ones() -> None:
    assert not mutating("ecs:DescribeServices") and not mutating("cloudwatch:GetMetricData")
    assert mutating("ecs:UpdateService") and mutating("rds:PromoteReadReplica") and mutating("s3:*")
