"""The embedded Step Functions' Lambda Tasks share one client per region and destination instead of making one per
Task."""

from __future__ import annotations

import pytest
from autopilot_cli.embedded.sfn_lambda_client import share_task_clients, shares_task_clients
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils


@pytest.fixture(autouse=True)
def shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    share_task_clients()


def test_installing_twice_keeps_the_shared_clients() -> None:
    share_task_clients()
    assert shares_task_clients()


def test_a_task_gets_the_client_the_last_task_of_its_region_got() -> None:
    first = lambda_eval_utils.boto_client_for("us-east-2", "lambda")
    assert lambda_eval_utils.boto_client_for("us-east-2", "lambda") is first
    assert first.meta.region_name == "us-east-2"


def test_each_region_and_destination_has_its_own_client(monkeypatch: pytest.MonkeyPatch) -> None:
    here = lambda_eval_utils.boto_client_for("us-east-2", "lambda")
    elsewhere = lambda_eval_utils.boto_client_for("eu-west-1", "lambda")
    assert elsewhere is not here and elsewhere.meta.region_name == "eu-west-1"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4599")
    redirected = lambda_eval_utils.boto_client_for("us-east-2", "lambda")
    assert redirected is not here
    monkeypatch.setenv("MOTO_PORT", "4600")
    assert lambda_eval_utils.boto_client_for("us-east-2", "lambda") is not redirected, "another server port"
