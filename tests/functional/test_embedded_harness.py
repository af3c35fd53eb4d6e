"""The embedded AWS's own plumbing: its clients live as long as the default session, one set per endpoint, and a
waiter wakes when an execution of this process ends."""

from __future__ import annotations

import json
import threading

import boto3
import pytest
from autopilot_cli.embedded.execution_ends import ends_so_far, install, wait_for_an_end
from autopilot_cli.embedded.harness_clients import harness_clients
from autopilot_cli.embedded.workflow import wait_for

REGION = "us-east-2"
ONE_PASS = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"ok": True}, "End": True}}})


def test_the_harness_gets_the_same_clients_while_the_session_lives(aws: None) -> None:
    first = harness_clients(REGION)
    assert harness_clients(REGION) is first
    assert harness_clients(REGION).ecs is first.ecs
    assert harness_clients("eu-west-1") is not first
    assert first.ecs.meta.region_name == REGION


def test_clients_made_at_the_embedded_servers_address_are_not_used_without_it(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999")  # an embedded server's address, while it runs
    at_server = harness_clients(REGION)
    assert at_server.ecs.meta.endpoint_url == "http://127.0.0.1:5999"
    monkeypatch.delenv("AWS_ENDPOINT_URL")  # the server stopped: moto in-process again
    in_process = harness_clients(REGION)
    assert in_process is not at_server
    assert in_process.ecs.meta.endpoint_url == f"https://ecs.{REGION}.amazonaws.com"
    assert in_process.ecs.list_clusters()["clusterArns"] == []  # answered by moto, not refused by a dead port


def test_a_new_mock_gets_new_harness_clients(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    before = harness_clients(REGION)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # what each start of a moto mock does
    after = harness_clients(REGION)
    assert after is not before
    assert after.session is boto3.DEFAULT_SESSION


def test_an_execution_that_ends_wakes_the_waiter_and_is_counted(aws: None) -> None:
    install()
    iam = boto3.client("iam", region_name=REGION)
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.create_state_machine(name="one-pass", definition=ONE_PASS, roleArn=role)["stateMachineArn"]
    seen = ends_so_far()
    waiter = threading.Thread(target=wait_for_an_end, args=(seen, 120.0))  # wakes on the end, not the timeout
    waiter.start()
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    waiter.join(timeout=60)
    assert not waiter.is_alive()
    assert ends_so_far() == seen + 1
    result = wait_for(arn, REGION, timeout=30)
    assert (result.status, result.output) == ("SUCCEEDED", {"ok": True})


def test_a_waiter_returns_at_once_when_an_end_came_after_its_look() -> None:
    install()
    seen = ends_so_far() - 1  # an end happened since this waiter looked
    waiter = threading.Thread(target=wait_for_an_end, args=(seen, 30.0))
    waiter.start()
    waiter.join(timeout=5)
    assert not waiter.is_alive()
