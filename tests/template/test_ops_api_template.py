"""The ops API in the transformed template: IAM auth (SigV4) on every method, logged and traced, and an
OpsApiFunction policy whose changes are scoped to this stack's primary and workflow."""

from __future__ import annotations

from typing import Any

import pytest

from tests.template.sam_transform import transformed_template

METHODS = {"get", "post", "put", "patch", "delete", "x-amazon-apigateway-any-method"}


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    found: dict[str, Any] = transformed_template()["Resources"]
    return found


def test_every_method_requires_sigv4(resources: dict[str, Any]) -> None:
    body = resources["OpsApi"]["Properties"]["Body"]
    assert body["securityDefinitions"]["AWS_IAM"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    methods = [(path, m, spec) for path, item in body["paths"].items() for m, spec in item.items() if m in METHODS]
    assert methods, "the ops API has no method"
    unprotected = [f"{m} {path}" for path, m, spec in methods if spec.get("security") != [{"AWS_IAM": []}]]
    assert not unprotected, f"methods without IAM auth: {unprotected}"


def test_the_stage_is_traced_logged_and_throttled(resources: dict[str, Any]) -> None:
    [stage] = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    props = stage["Properties"]
    assert props["TracingEnabled"] is True and "DestinationArn" in props["AccessLogSetting"]
    assert "$context.identity.userArn" in props["AccessLogSetting"]["Format"]
    assert all(m["ThrottlingRateLimit"] > 0 for m in props["MethodSettings"])


def _statements(resources: dict[str, Any]) -> list[dict[str, Any]]:
    role = resources["OpsApiFunctionRole"]["Properties"]
    return [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


def test_changes_are_scoped_to_the_primary_and_the_workflow(resources: dict[str, Any]) -> None:
    statements = _statements(resources)
    modify = next(s for s in statements if "rds:ModifyDBInstance" in _actions(s))
    assert modify["Resource"]["Fn::Sub"].endswith(":db:${PrimaryDatabase}")
    answer = next(s for s in statements if "states:SendTaskSuccess" in _actions(s))
    assert answer["Resource"]["Fn::Sub"].endswith(":stateMachine:${AWS::StackName}-remediation")
