"""The IAM test's own pieces: wildcards and conditions evaluated as IAM does, implied permissions, and a clear
error for an API the test cannot yet describe."""

from __future__ import annotations

import pytest

from tests.helpers.iam_actions import Need, needs_of
from tests.helpers.iam_calls import Call
from tests.helpers.iam_policy import Grant, covers

ARN = "arn:aws:ecs:us-east-2:123456789012:service/sensor-app-cluster/sensor-app-service"


def grant(action: str, resource: str, *conditions: tuple[str, str, tuple[str, ...]]) -> Grant:
    return Grant("F", action, resource, "c" if conditions else "", tuple(conditions))


def call(service: str, operation: str, **params: object) -> Call:
    return Call("F", service, operation, dict(params), "us-east-2", "t")


def test_resource_wildcards_match_as_iam_matches_them() -> None:
    assert covers(
        grant("ecs:UpdateService", "arn:aws:ecs:us-east-2:123456789012:service/sensor-app-cluster/*"),
        Need("ecs:UpdateService", ARN),
    )
    assert not covers(
        grant("ecs:UpdateService", "arn:aws:ecs:us-east-2:123456789012:service/other/*"), Need("ecs:UpdateService", ARN)
    )
    assert covers(grant("ecs:*", "*"), Need("ecs:UpdateService", ARN))
    assert not covers(grant("ecs:Describe*", "*"), Need("ecs:UpdateService", ARN))


def test_an_api_without_resource_permissions_needs_a_star_grant() -> None:
    need = Need("ecs:DescribeTaskDefinition", "*")
    assert covers(grant("ecs:DescribeTaskDefinition", "*"), need)
    assert not covers(grant("ecs:DescribeTaskDefinition", ARN), need)


def test_listing_every_resource_of_a_type_needs_a_grant_at_least_as_wide() -> None:
    need = Need("cloudwatch:DescribeAlarms", "arn:aws:cloudwatch:us-east-2:123456789012:alarm:*")
    assert covers(grant("cloudwatch:DescribeAlarms", "arn:aws:cloudwatch:us-east-2:123456789012:alarm:*"), need)
    assert not covers(
        grant("cloudwatch:DescribeAlarms", "arn:aws:cloudwatch:us-east-2:123456789012:alarm:stack-*"), need
    )


def test_conditions_hold_only_on_the_keys_the_request_carries() -> None:
    held = grant(
        "application-autoscaling:RegisterScalableTarget",
        "*",
        ("StringEquals", "application-autoscaling:service-namespace", ("ecs",)),
    )
    needs = needs_of(
        call(
            "application-autoscaling",
            "RegisterScalableTarget",
            ServiceNamespace="ecs",
            ScalableDimension="ecs:service:DesiredCount",
            ResourceId="service/sensor-app-cluster/sensor-app-service",
        )
    )
    assert covers(held, needs[0])
    assert not covers(held, Need("application-autoscaling:RegisterScalableTarget", "*"))


def test_registering_an_ecs_target_implies_describing_and_updating_the_service() -> None:
    needs = needs_of(
        call(
            "application-autoscaling",
            "RegisterScalableTarget",
            ServiceNamespace="ecs",
            ScalableDimension="ecs:service:DesiredCount",
            ResourceId="service/sensor-app-cluster/sensor-app-service",
            MinCapacity=6,
        )
    )
    assert {(need.action, need.resource) for need in needs[1:]} == {
        ("ecs:DescribeServices", ARN),
        ("ecs:UpdateService", ARN),
    }


def test_publishing_to_an_encrypted_topic_implies_the_key() -> None:
    topic, key = "arn:aws:sns:us-east-2:123456789012:t", "arn:aws:kms:us-east-2:123456789012:key/k"
    needs = needs_of(call("sns", "Publish", TopicArn=topic, Message="m"), {topic: key})
    assert [(need.action, need.resource) for need in needs] == [
        ("sns:Publish", topic),
        ("kms:GenerateDataKey", key),
        ("kms:Decrypt", key),
    ]


def test_an_api_the_test_cannot_describe_is_named_with_what_to_do() -> None:
    with pytest.raises(KeyError, match=r"AssessFunction calls ecs:ListTasks .* add one naming its IAM action"):
        needs_of(Call("AssessFunction", "ecs", "ListTasks", {}, "us-east-2", "t::x"))
