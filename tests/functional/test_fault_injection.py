"""The fault injector speaks each API's protocol: a query API (SNS) sees its own error codes."""

import boto3
import pytest

from tests.helpers.faults import FaultPlan, inject


def test_query_protocol_faults_are_parsed_as_their_code(aws, monkeypatch):
    sns = boto3.client("sns")
    arn = sns.create_topic(Name="t")["TopicArn"]
    with inject("sns", "Publish", FaultPlan(code="Throttling", times=1), monkeypatch) as plan:
        sns.publish(TopicArn=arn, Message="x")
    assert plan.calls == 2
    failing = FaultPlan(code="InternalError", status=500, times=None)
    with inject("sns", "Publish", failing, monkeypatch), pytest.raises(Exception, match="InternalError"):
        sns.publish(TopicArn=arn, Message="x")
