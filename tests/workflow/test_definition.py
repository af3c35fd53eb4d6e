"""The ASL file itself: no ARN inside, every ``${...}`` wired through DefinitionSubstitutions, Lambda tasks with
Retry (backoff and jitter) and a Catch to the Notify-and-fail path, waits and timeouts from the input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from autopilot_cli.embedded.workflow import STATE_MACHINE_ID, apply_substitutions, definition_path
from autopilot_cli.template_model import load_template
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

from tests.helpers.contracts import SUBSTITUTION_KEYS

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
APPROVAL = "arn:aws:states:::lambda:invoke.waitForTaskToken"
RETRIED = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
}


def template() -> dict[str, Any]:
    return load_template()


def machine() -> dict[str, Any]:
    return dict(template()["Resources"][STATE_MACHINE_ID]["Properties"])


def asl_text() -> str:
    return definition_path(template()).read_text()


def states() -> dict[str, dict[str, Any]]:
    return dict(json.loads(asl_text())["States"])


def tasks(resource: str) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in states().items() if s.get("Resource") == resource}


def targets(state: dict[str, Any]) -> list[str]:
    found = [state[k] for k in ("Next", "Default") if k in state]
    found += [c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])]
    return found


def test_the_template_points_at_this_file() -> None:
    expected = Path(__file__).resolve().parents[2] / "statemachines" / "remediation.asl.json"
    assert definition_path(template()).resolve() == expected  # the packaged copy links to this file


def test_no_arn_inside_the_file() -> None:
    text = asl_text()
    assert re.findall(r"arn:aws[\w-]*:[\w-]+:[\w-]+:\d{12}", text) == []
    resources = {s["Resource"] for s in states().values() if "Resource" in s}
    assert resources == {LAMBDA_INVOKE, APPROVAL}, (
        "Lambda tasks and Lambda callback approvals only (no aws-sdk integrations)"
    )


def test_every_placeholder_has_a_substitution_and_every_substitution_is_used() -> None:
    used = set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", asl_text()))
    defined = set(machine()["DefinitionSubstitutions"])
    assert used == defined == SUBSTITUTION_KEYS


def test_the_substituted_definition_is_valid_asl() -> None:
    values = {key: f"arn:aws:lambda:us-east-2:123456789012:function:{key}" for key in SUBSTITUTION_KEYS}
    values["ApprovalTimeoutSeconds"] = "3600"
    AmazonStateLanguageParser.parse(apply_substitutions(asl_text(), values))


def test_every_transition_leads_to_a_state_and_every_state_is_reachable() -> None:
    all_states = states()
    seen, todo = set(), [json.loads(asl_text())["StartAt"]]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        assert name in all_states, f"transition to a missing state {name}"
        seen.add(name)
        todo += targets(all_states[name])
    assert seen == set(all_states)


@pytest.mark.parametrize("name", sorted(tasks(LAMBDA_INVOKE)))
def test_lambda_tasks_retry_with_backoff_and_jitter_and_keep_only_the_payload(name: str) -> None:
    task = tasks(LAMBDA_INVOKE)[name]
    assert re.fullmatch(r"\$\{\w+FunctionArn\}", task["Parameters"]["FunctionName"])
    (retry,) = task["Retry"]
    assert set(retry["ErrorEquals"]) == RETRIED
    assert retry["BackoffRate"] > 1 and retry["MaxAttempts"] >= 2 and retry["JitterStrategy"] == "FULL"
    assert all(v.startswith("$.Payload") for v in task["ResultSelector"].values()), "no SDK metadata or timestamps"
    assert [c["ErrorEquals"] for c in task["Catch"]] == [["States.ALL"]]


@pytest.mark.parametrize("name", sorted((set(tasks(LAMBDA_INVOKE)) | set(tasks(APPROVAL))) - {"Notify"}))
def test_a_failing_step_is_notified_by_name_and_then_fails(name: str) -> None:
    all_states = states()
    catcher = next(c for c in all_states[name]["Catch"] if c["ErrorEquals"] == ["States.ALL"])
    handler = all_states[catcher["Next"]]
    assert catcher["ResultPath"] == "$.error"
    assert handler["Parameters"]["outcome"] == "failed"
    assert handler["Parameters"]["failed_step"] == name
    assert handler["Parameters"]["left_unchanged"]
    assert handler["Next"] == "Notify"
    assert all_states["Finish"]["Choices"][0]["Next"] == "Failed"


def test_lambda_tasks_receive_the_same_envelope() -> None:
    payloads = [t["Parameters"]["Payload"] for name, t in tasks(LAMBDA_INVOKE).items() if name != "Notify"]
    assert all(p == payloads[0] for p in payloads)
    keys = {k.removesuffix(".$") for k in payloads[0]}
    assert {"trigger", "now", "dry_run", "assessment", "decision", "verdict", "approval", "seconds"} <= keys
    notify = tasks(LAMBDA_INVOKE)["Notify"]["Parameters"]["Payload"]
    assert notify == {**payloads[0], "notice.$": "$.notice"}
    assert states()["Notify"]["Catch"][0]["Next"] == "NotificationFailed"


def test_waits_and_approval_timeouts_come_from_the_input() -> None:
    waits = [s for s in states().values() if s["Type"] == "Wait"]
    assert waits and all("SecondsPath" in w and "Seconds" not in w for w in waits)
    for name, task in tasks(APPROVAL).items():
        assert task["TimeoutSecondsPath"] == "$.seconds.approval_timeout", name
        assert task["Parameters"]["FunctionName"] == "${OpsApiFunctionArn}", name
        assert task["Parameters"]["Payload"]["approval_request"]["task_token.$"] == "$$.Task.Token"
        timeout = next(c for c in task["Catch"] if c["ErrorEquals"] == ["States.Timeout"])
        assert states()[timeout["Next"]]["Result"]["output"]["approved"] is False, "a timeout is never an approval"


def test_logging_tracing_and_one_invoke_policy_per_function() -> None:
    props = machine()
    assert props["Type"] == "STANDARD"
    # Errors only, without execution data: the data holds approval task tokens (whoever reads one can approve).
    assert props["Logging"]["Level"] == "ERROR" and props["Logging"]["IncludeExecutionData"] is False
    assert props["Tracing"] == {"Enabled": True}
    invoked = {p["LambdaInvokePolicy"]["FunctionName"]["Ref"] for p in props["Policies"] if "LambdaInvokePolicy" in p}
    functions = {
        props["DefinitionSubstitutions"][k]["Fn::GetAtt"][0] for k in SUBSTITUTION_KEYS if k.endswith("FunctionArn")
    }
    assert invoked == functions
    assert not any("SNSPublishMessagePolicy" in p for p in props["Policies"]), "approvals notify through a function"
    assert "StateMachineArn" in template()["Outputs"]
