"""moto's "is this action a method?" answered for one name gives the answer moto's list of methods gives."""

from __future__ import annotations

from typing import Any

import pytest
from autopilot_cli.embedded.response_actions import FunctionNames
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core import responses
from moto.core.utils import method_names_from_class
from moto.dynamodb.responses import DynamoHandler
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.rds.responses import RDSResponse
from moto.sns.responses import SNSResponse
from moto.ssm.responses import SimpleSystemManagerResponse
from moto.stepfunctions.responses import StepFunctionResponse

CLASSES = [
    ApplicationAutoScalingResponse,
    CloudWatchResponse,
    DynamoHandler,
    EC2ContainerServiceResponse,
    RDSResponse,
    SNSResponse,
    SimpleSystemManagerResponse,
    StepFunctionResponse,
]


def test_importing_the_embedded_aws_installs_it() -> None:
    import autopilot_cli.embedded  # noqa: F401

    assert responses.method_names_from_class is FunctionNames


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_name_gets_the_answer_of_moto_s_list(cls: Any) -> None:
    listed = set(method_names_from_class(cls))
    names = FunctionNames(cls)
    asked = [*dir(cls), "no_such_action", "", "__init__", "dispatch", "uri_match"]
    assert [name for name in asked if name in names] == [name for name in asked if name in listed]
    assert listed, "moto lists no method: the comparison would prove nothing"


def test_an_action_added_at_run_time_is_found_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    names = FunctionNames(ApplicationAutoScalingResponse)
    assert "describe_scaling_activities_again" not in names
    monkeypatch.setattr(
        ApplicationAutoScalingResponse, "describe_scaling_activities_again", lambda self: "{}", raising=False
    )
    assert "describe_scaling_activities_again" in names


def test_an_attribute_that_is_not_a_function_is_not_an_action() -> None:
    names = FunctionNames(DynamoHandler)
    assert not any(name in names for name in (None, 3, "__class__", "__doc__"))
