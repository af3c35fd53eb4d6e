"""The emulator seam: moto's docker-free Lambda backend routed to our handlers, with each function's environment."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from typing import Any

import boto3
import pytest
from autopilot_cli.embedded.lambda_router import Fault, LambdaRouter
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.embedded.workflow import DeployedWorkflow
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.workflow import aws_state
from tests.workflow.conftest import load_event


def invoke(stack: EmbeddedStack, function: str, payload: Any) -> dict[str, Any]:
    """One attempt, as Step Functions' own client makes it (its Retry decides about the next)."""
    once = Config(retries={"total_max_attempts": 1})
    response = boto3.client("lambda", region_name=stack.region, config=once).invoke(
        FunctionName=function, Payload=json.dumps(payload).encode()
    )
    return {"error": response.get("FunctionError"), "payload": json.loads(response["Payload"].read())}


def test_names_and_arns_map_to_logical_ids(stack: EmbeddedStack) -> None:
    router = LambdaRouter(stack.resolver)
    arn = "arn:aws:lambda:us-east-2:123456789012:function:sensor-autopilot-NotifyFunction"
    assert router.logical_id_for(arn) == "NotifyFunction"
    assert router.logical_id_for(f"{arn}:$LATEST") == "NotifyFunction"
    assert router.logical_id_for("sensor-autopilot-AssessFunction-1A2B3C") == "AssessFunction"
    assert router.logical_id_for("AssessFunction") == "AssessFunction"
    assert router.logical_id_for("sensor-autopilot-AssessFunctionX") is None
    assert router.logical_id_for("someone-elses-function") is None
    router.register("renamed", "SweeperFunction")
    assert router.logical_id_for("renamed") == "SweeperFunction"


def test_registering_an_unknown_logical_id_is_refused(stack: EmbeddedStack) -> None:
    with pytest.raises(ValueError, match="NoSuchFunction"):
        LambdaRouter(stack.resolver).register("x", "NoSuchFunction")


def test_a_function_of_another_stack_keeps_mocos_echo(workflow: DeployedWorkflow, stack: EmbeddedStack) -> None:
    lam = boto3.client("lambda", region_name=stack.region)
    role = lam.get_function(FunctionName=workflow.function_arns["AssessFunction"])["Configuration"]["Role"]
    lam.create_function(
        FunctionName="someone-elses-function",
        Runtime="python3.13",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
    )
    assert invoke(stack, "someone-elses-function", {"hello": 1}) == {"error": None, "payload": {"hello": 1}}


def test_the_handler_runs_with_its_template_environment_and_the_process_keeps_its_own(
    workflow: DeployedWorkflow, stack: EmbeddedStack, router: LambdaRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMOTION_MODE", raising=False)
    event = {"trigger": load_event("workflow-rds-primary-failure.json"), "now": "2026-11-27T12:00:00Z"}

    seen = invoke(stack, workflow.function_arns["ReplicaCheckFunction"], event)
    router.resolver = replace(router.resolver, parameters={**router.resolver.parameters, "PromotionMode": "auto"})
    seen_auto = invoke(stack, workflow.function_arns["ReplicaCheckFunction"], event)

    assert (seen["error"], seen["payload"]["mode"]) == (None, "recommend")
    assert seen_auto["payload"]["mode"] == "auto"
    assert "PROMOTION_MODE" not in os.environ


def test_a_raising_handler_returns_lambdas_error_shape_and_changes_nothing(
    workflow: DeployedWorkflow, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    reply = invoke(stack, workflow.function_arns["EmergencyScaleFunction"], {"detail-type": "Nonsense"})

    assert reply["error"] == "Unhandled"
    assert reply["payload"]["errorType"] == "InvalidEventError"
    assert "Nothing was changed" in reply["payload"]["errorMessage"]
    assert router.calls("EmergencyScaleFunction")[0].error_type == "InvalidEventError"
    assert aws_state.target(stack) == (3, 20)
    assert aws_state.audit(stack) == []


def test_an_injected_service_error_reaches_the_caller_before_the_handler_runs(
    workflow: DeployedWorkflow, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    router.fail_next("AssessFunction", fault=Fault("ServiceException", "injected", 500))

    with pytest.raises(ClientError) as raised:
        invoke(stack, workflow.function_arns["AssessFunction"], load_event("workflow-cpu-emergency.json"))

    assert raised.value.response["Error"]["Code"] == "ServiceException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    (call,) = router.calls("AssessFunction")
    assert call.fault is not None and call.result is None


def test_fail_next_needs_a_positive_count(stack: EmbeddedStack) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LambdaRouter(stack.resolver).fail_next("AssessFunction", times=0)
