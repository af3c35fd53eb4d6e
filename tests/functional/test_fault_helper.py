"""The one fault-injection helper (tests/helpers/faults.py) rides on botocore's public hooks: a failed call is
not applied by the emulator, botocore retries it, and no test patches the emulator's classes."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.helpers.faults import FaultPlan, count_calls, inject, install_faults

TESTS = Path(__file__).resolve().parents[1]


def test_no_test_patches_the_emulators_request_handling() -> None:
    others = [p for p in TESTS.rglob("*.py") if p != Path(__file__).resolve()]
    patching = sorted(str(p.relative_to(TESTS)) for p in others if "botocore_stubber" in p.read_text(encoding="utf-8"))
    assert patching == [], f"use tests.helpers.faults instead of moto's stubber in {patching}"


def test_no_test_hooks_a_sessions_event_emitter() -> None:
    """A hook registered on a session reaches only the clients made after it; the handlers keep theirs (a warm
    container), so tests hook calls with on_call, which every client carries."""
    others = [p for p in TESTS.rglob("*.py") if p != Path(__file__).resolve()]
    hooking = sorted(str(p.relative_to(TESTS)) for p in others if "event_emitter" in p.read_text(encoding="utf-8"))
    assert hooking == [], f"use tests.helpers.faults.on_call instead of the session's event emitter in {hooking}"


def test_a_failed_call_is_not_applied_and_a_retry_is(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    ssm = boto3.client("ssm", region_name="us-east-2")
    with inject("ssm", "PutParameter", FaultPlan(times=None), monkeypatch) as plan, pytest.raises(ClientError):
        ssm.put_parameter(Name="/p", Value="v1", Type="String")
    assert plan.calls > 1  # botocore retried the throttled call
    assert ssm.describe_parameters()["Parameters"] == []  # and the emulator never applied it
    with inject("ssm", "PutParameter", FaultPlan(times=2), monkeypatch) as plan:
        ssm.put_parameter(Name="/p", Value="v2", Type="String")
    assert (plan.calls, plan.failed) == (3, 2)
    assert ssm.get_parameter(Name="/p")["Parameter"]["Value"] == "v2"


def test_counts_and_failures_by_operation(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    faults = install_faults(monkeypatch)
    sns = boto3.client("sns", region_name="us-east-2")
    faults.fail("CreateTopic", times=1, throttle=True)
    arn = sns.create_topic(Name="t")["TopicArn"]
    assert faults.calls["CreateTopic"] == 2 and faults.backoffs == 1
    faults.fail("ListTopics")
    with pytest.raises(ClientError):
        sns.list_topics()
    faults.heal("ListTopics")
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [arn]


def test_a_call_counter_sees_the_calls_of_a_client_made_before_it(aws: None) -> None:
    ssm = boto3.client("ssm", region_name="us-east-2")  # as a warm container's client is
    ssm.describe_parameters()
    with count_calls("ssm", "DescribeParameters") as described, count_calls("ssm", "PutParameter") as put:
        ssm.describe_parameters()
        ssm.describe_parameters()
    ssm.describe_parameters()
    assert (described.calls, put.calls) == (2, 0)


def test_a_call_counter_knows_services_by_their_api_name(aws: None) -> None:
    """botocore emits application-autoscaling's calls as ``application-auto-scaling``: the counter still sees them."""
    aas = boto3.client("application-autoscaling", region_name="us-east-2")
    with count_calls("application-autoscaling", "DescribeScalableTargets") as described:
        aas.describe_scalable_targets(ServiceNamespace="ecs")
    assert described.calls == 1
