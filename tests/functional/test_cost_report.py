"""CostReportFunction on the seed's stack in moto: what it stores, sends and returns, and how it fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from autopilot.adapters.inventory import pool_settings
from autopilot.adapters.report_store import DeliveryError
from autopilot.errors import InvalidEventError, ObservationError
from autopilot.handlers.cost_report import handler
from autopilot.models.records import Lease
from autopilot_cli.embedded.seed_stack import ACCOUNT, EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext
from autopilot_cli.template_model import load_template
from botocore.awsrequest import AWSResponse, HTTPHeaders
from moto.moto_api._internal.models import moto_api_backend

from tests.helpers.aws_env import settings_env
from tests.helpers.clients import state_table
from tests.helpers.faults import ErrorBody, FaultPlan, inject

EVENTS = Path(__file__).resolve().parents[2] / "events"
HAND_COMPUTED_MONTHLY = 258.51  # 108.12 tasks + 105.12 RDS + 23.00 gp3 + 22.27 ALB
JSON_KEY = "cost-reports/2026/11/27/cost-report.json"
MD_KEY = "cost-reports/2026/11/27/cost-report.md"
Published = Callable[[str], list[dict[str, Any]]]


def schedule_event() -> dict[str, Any]:
    return json.loads((EVENTS / "schedule-cost-report.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def stored_keys(stack: EmbeddedStack) -> list[str]:
    listing = boto3.client("s3", region_name=stack.region).list_objects_v2(Bucket=stack.bucket)
    return sorted(obj["Key"] for obj in listing.get("Contents", []))


class QueryFault(FaultPlan):
    """SNS speaks the query protocol: its errors come as XML."""

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        if super().__call__(request) is None:
            return None
        body = f"<ErrorResponse><Error><Type>Receiver</Type><Code>{self.code}</Code></Error></ErrorResponse>"
        return AWSResponse(request.url, self.status, HTTPHeaders(), ErrorBody(body.encode()))


class RefuseMarkdown(FaultPlan):
    """Refuse every PutObject of the Markdown file; let the JSON through."""

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        return super().__call__(request) if request.url.endswith(".md") else None


def test_schedule_report_is_stored_sent_and_measured_with_the_hand_computed_total(
    stack: EmbeddedStack, lambda_context: LocalLambdaContext, sns_messages: Published
) -> None:
    result = handler(schedule_event(), lambda_context)

    assert abs(result["monthly_total_usd"] - HAND_COMPUTED_MONTHLY) / HAND_COMPUTED_MONTHLY < 0.01
    assert result["generated_at"].startswith("2026-11-27T06:00:00")
    assert [s["tasks"] for s in result["scenarios"]] == [3, 3, 20]
    assert stored_keys(stack) == [JSON_KEY, MD_KEY]
    s3 = boto3.client("s3", region_name=stack.region)
    stored = json.loads(s3.get_object(Bucket=stack.bucket, Key=JSON_KEY)["Body"].read())
    assert stored == {k: v for k, v in result.items() if k != "delivery"}
    markdown = s3.get_object(Bucket=stack.bucket, Key=MD_KEY)["Body"].read().decode()
    assert "**Workload now: $258.51/month**" in markdown
    [message] = sns_messages(stack.topic_arn)
    assert message["subject"] == "Cost report 2026-11-27: $258.51/month (workload)"
    assert f"s3://{stack.bucket}/{MD_KEY}" in message["message"]
    stats = boto3.client("cloudwatch", region_name=stack.region).get_metric_statistics(
        Namespace="SensorAutopilot",
        MetricName="EstimatedMonthlyCost",
        Dimensions=[
            {"Name": "ClusterName", "Value": stack.cluster},
            {"Name": "ServiceName", "Value": stack.service},
        ],
        StartTime=datetime(2026, 11, 27, 5, tzinfo=UTC),
        EndTime=datetime(2026, 11, 27, 7, tzinfo=UTC),
        Period=3600,
        Statistics=["Maximum"],
    )
    assert [point["Maximum"] for point in stats["Datapoints"]] == [HAND_COMPUTED_MONTHLY]
    assert result["delivery"]["message_id"]


def test_the_report_prices_the_observed_inventory(stack: EmbeddedStack, lambda_context: LocalLambdaContext) -> None:
    result = handler(schedule_event(), lambda_context)
    inventory = result["inventory"]
    assert inventory["service"]["running_tasks"] == 3
    assert (inventory["service"]["min_capacity"], inventory["service"]["max_capacity"]) == (3, 20)
    assert [(d["instance_id"], d["role"]) for d in inventory["databases"]] == [
        (stack.primary_id, "primary"),
        (stack.replica_id, "replica"),
    ]
    assert [lb["name"] for lb in inventory["load_balancers"]] == ["sensor-app-alb"]
    assert result["seed_check"]["seed_total_usd"] == 135.0
    assert result["prices"]["refresh"].startswith("Pricing API refresh is off")


def test_a_manual_request_in_the_workflow_envelope_uses_the_envelope_time(
    stack: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    manual = {
        "source": "autopilot.manual",
        "kind": "cost-report",
        "requested_by": "sre@example.com",
        "reason": "monthly review",
        "time": "2026-11-30T09:00:00Z",
    }
    result = handler({"trigger": manual, "now": "2026-12-01T08:00:00Z"}, lambda_context)
    assert result["generated_at"].startswith("2026-12-01T08:00:00")
    assert stored_keys(stack) == ["cost-reports/2026/12/01/cost-report.json", "cost-reports/2026/12/01/cost-report.md"]


def test_active_leases_and_their_cost_appear_in_the_report_and_the_summary(
    stack: EmbeddedStack, lambda_context: LocalLambdaContext, sns_messages: Published
) -> None:
    raised = datetime(2026, 11, 27, 5, 50, tzinfo=UTC)
    lease = Lease(
        resource_id=stack.resource_id,
        original_min=3,
        leased_min=8,
        raised_at=raised,
        expires_at=raised + timedelta(hours=1),
        alarm_name="sensor-cpu-emergency",
        episode="arn|2026-11-27T05:50:00+00:00",
    )
    state_table(stack.table_name).put_lease(lease)
    result = handler(schedule_event(), lambda_context)
    [cost] = result["leases"]
    assert cost["cost_impact"]["tasks_delta"] == 5
    assert cost["expired"] is False
    assert "+5 tasks = +$0.25/h" in sns_messages(stack.topic_arn)[0]["message"]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("alarm-cpu-emergency.json", "'alarm' event"),
        ("manual-scale-out.json", "'scale-out' event"),
    ],
)
def test_events_other_than_schedule_or_cost_report_are_refused_and_nothing_is_written(
    stack: EmbeddedStack, lambda_context: LocalLambdaContext, sns_messages: Published, event: str, message: str
) -> None:
    payload = json.loads((EVENTS / event).read_text(encoding="utf-8"))
    with pytest.raises(InvalidEventError, match=message):
        handler(payload, lambda_context)
    assert stored_keys(stack) == []
    assert sns_messages(stack.topic_arn) == []


def test_a_malformed_schedule_event_names_the_bad_field(
    stack: EmbeddedStack, lambda_context: LocalLambdaContext, sns_messages: Published
) -> None:
    event = schedule_event()
    event["time"] = "yesterday"
    with pytest.raises(InvalidEventError, match="time"):
        handler(event, lambda_context)
    assert stored_keys(stack) == []
    assert sns_messages(stack.topic_arn) == []


def test_a_missing_service_is_an_observation_error_and_nothing_is_written(
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    sns_messages: Published,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with settings_env(monkeypatch, {"SERVICE_NAME": "no-such-service"}), pytest.raises(ObservationError) as err:
        handler(schedule_event(), lambda_context)
    assert "SERVICE_NAME" in str(err.value)
    assert stored_keys(stack) == []
    assert sns_messages(stack.topic_arn) == []


def test_throttled_s3_writes_are_retried_and_the_report_is_stored(
    stack: EmbeddedStack, lambda_context: LocalLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = FaultPlan(code="SlowDown", status=503, times=2)
    with inject("s3", "PutObject", plan, monkeypatch):
        handler(schedule_event(), lambda_context)
    assert (plan.failed, plan.calls) == (2, 4), "two refused, then the JSON and the Markdown"
    assert stored_keys(stack) == [JSON_KEY, MD_KEY]


def test_when_the_summary_cannot_be_sent_the_stored_report_is_removed(
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    sns_messages: Published,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = QueryFault(code="ServiceUnavailable", status=503, times=None)
    with inject("sns", "Publish", plan, monkeypatch), pytest.raises(DeliveryError, match="publish the summary") as err:
        handler(schedule_event(), lambda_context)
    assert plan.calls == 6, "the shared retry policy: the first attempt and 5 retries"
    assert "run the cost report again" in str(err.value)
    assert stored_keys(stack) == []
    assert sns_messages(stack.topic_arn) == []


def test_when_the_markdown_cannot_be_stored_the_json_is_removed_and_nothing_is_sent(
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    sns_messages: Published,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = RefuseMarkdown(code="InternalError", status=500, times=None)
    with inject("s3", "PutObject", plan, monkeypatch), pytest.raises(DeliveryError, match="store the report"):
        handler(schedule_event(), lambda_context)
    assert plan.calls == 6
    assert stored_keys(stack) == []
    assert sns_messages(stack.topic_arn) == []


def test_cost_explorer_month_to_date_when_enabled(
    stack: EmbeddedStack, lambda_context: LocalLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    groups = [
        {
            "Keys": ["Amazon Elastic Container Service"],
            "Metrics": {"UnblendedCost": {"Amount": "97.31", "Unit": "USD"}},
        },
        {
            "Keys": ["Amazon Relational Database Service"],
            "Metrics": {"UnblendedCost": {"Amount": "110.02", "Unit": "USD"}},
        },
    ]
    period = {"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-27"}, "Total": {}, "Groups": groups}
    moto_api_backend.set_ce_cost_usage(result={"ResultsByTime": [period]}, account_id=ACCOUNT)
    with settings_env(monkeypatch, {"COST_EXPLORER_ENABLED": "true"}):
        result = handler(schedule_event(), lambda_context)
    actuals = result["actuals"]
    assert actuals["month_to_date_usd"] == 207.33
    assert actuals["by_service"]["Amazon Relational Database Service"] == 110.02
    assert (actuals["start"], actuals["end"]) == ("2026-11-01", "2026-11-27")
    assert result["monthly_total_usd"] == HAND_COMPUTED_MONTHLY, "actuals never replace the estimate"


def test_pricing_api_unavailable_falls_back_to_the_table_and_says_so(
    stack: EmbeddedStack, lambda_context: LocalLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    with settings_env(monkeypatch, {"PRICING_API_ENABLED": "true"}):
        result = handler(schedule_event(), lambda_context)
    assert result["prices"]["refresh"].startswith("Pricing API unavailable")
    assert "bundled price table was used" in result["prices"]["refresh"]
    assert result["monthly_total_usd"] == HAND_COMPUTED_MONTHLY


def test_price_overrides_from_the_settings_are_used_and_listed(
    stack: EmbeddedStack, lambda_context: LocalLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    overrides = json.dumps({"rds_instance_hour/postgres/db.t3.medium/hour": 0.082})
    with settings_env(monkeypatch, {"PRICE_OVERRIDES": overrides}):
        result = handler(schedule_event(), lambda_context)
    assert result["monthly_total_usd"] == round(HAND_COMPUTED_MONTHLY + 2 * 0.010 * 730, 2)
    assert result["prices"]["overrides"] == [
        "rds_instance_hour/postgres/db.t3.medium/hour = 0.082 (PRICE_OVERRIDES setting)"
    ]


def test_without_a_report_bucket_the_report_is_returned_and_sent_but_not_stored(
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    sns_messages: Published,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with settings_env(monkeypatch, {"REPORT_BUCKET": ""}):
        result = handler(schedule_event(), lambda_context)
    assert result["delivery"]["notes"] == ["REPORT_BUCKET is not set: the report was not stored"]
    assert stored_keys(stack) == []
    assert len(sns_messages(stack.topic_arn)) == 1


def test_the_pool_sizes_quoted_are_the_deployed_services_own(
    stack: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    result = handler(schedule_event(), lambda_context)
    settings = result["inventory"]["service"]["pool_settings"]
    assert settings == {"db_connection_budget": 300, "max_tasks": 30, "web_concurrency": 4, "db_pool_size": None}
    [pooling] = [r for r in result["recommendations"] if r["id"] == "connection-pooling"]
    assert "floor(300 / (30 tasks x 4 workers)) = 2 per worker, 8 per task, 240 at 30 tasks" in pooling["detail"]


def test_container_settings_that_are_not_numbers_are_left_out() -> None:
    task_def = {
        "containerDefinitions": [
            {"name": "sidecar", "environment": [{"name": "OTHER", "value": "1"}]},
            {
                "name": "sensor-api",
                "environment": [
                    {"name": "DB_CONNECTION_BUDGET", "value": "three hundred"},
                    {"name": "MAX_TASKS", "value": "30"},
                ],
            },
        ]
    }
    assert pool_settings(task_def).model_dump() == {
        "db_connection_budget": None,
        "max_tasks": 30,
        "web_concurrency": None,
        "db_pool_size": None,
    }
    assert pool_settings({}).model_dump(exclude_none=True) == {}


def _other_tenants(stack: EmbeddedStack) -> None:
    """A function and an alarm of someone else in the same region, and one function of this stack."""
    role = boto3.client("iam").create_role(
        RoleName="other-team", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )["Role"]["Arn"]
    lam = boto3.client("lambda", region_name=stack.region)
    code = {"ZipFile": b"PK\x05\x06" + b"\x00" * 18}  # an empty zip: never run
    lam.create_function(FunctionName="billing-export", Runtime="python3.13", Role=role, Handler="x.h", Code=code)
    lam.create_function(
        FunctionName="sensor-autopilot-NotifyFunction",  # as the embedded stack names it in CONTROL_PLANE_FUNCTIONS
        Runtime="python3.13",
        Role=role,
        Handler="autopilot.handlers.notify.handler",
        Code=code,
        MemorySize=256,
        Architectures=["arm64"],
        Environment={"Variables": {"STATE_TABLE_NAME": stack.table_name}},
    )
    boto3.client("cloudwatch", region_name=stack.region).put_metric_alarm(
        AlarmName="billing-export-errors",
        MetricName="Errors",
        Namespace="AWS/Lambda",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )


def test_the_control_plane_counts_only_the_stacks_own_functions_and_alarms(
    stack: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    _other_tenants(stack)
    # The template names the stack's functions in CONTROL_PLANE_FUNCTIONS (no ListFunctions over the account):
    # of those, only the Notify function exists here; the other team's function is never read.
    plane = handler(schedule_event(), lambda_context)["inventory"]["control_plane"]
    assert [f["name"] for f in plane["functions"]] == ["sensor-autopilot-NotifyFunction"]
    own = plane["standard_alarms"] + plane["high_resolution_alarms"] + plane["composite_alarms"]
    template_alarms = sum(1 for r in load_template()["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm")
    assert own == template_alarms, "the template's own alarms, named sensor-autopilot-..."
    assert plane["other_alarms"] == 7, "six target-tracking alarms and the other team's, not counted"


def test_the_estimate_says_where_its_invocations_come_from(
    stack: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    assumptions = " ".join(handler(schedule_event(), lambda_context)["control_plane"]["assumptions"])
    assert "invocations are modelled, not measured" in assumptions
    assert "no function of stack sensor-autopilot was found" in assumptions
    assert "7 other alarms in the region are not counted" not in assumptions
    assert "6 other alarms in the region are not counted" in assumptions
