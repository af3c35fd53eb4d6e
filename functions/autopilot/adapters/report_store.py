"""Deliver a cost report: JSON + Markdown to S3, the EstimatedMonthlyCost metric, a short SNS summary.

Keys are date-based from the report's own time, so a retry of the same day overwrites the same objects. If a
later step fails for good, the objects stored by this run are removed before the error is raised.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from autopilot.errors import AutopilotError
from autopilot.logic.cost_markdown import render_markdown, summary_message
from autopilot.models.cost import CostReport, Delivery
from autopilot.observability import METRICS_NAMESPACE, logger

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient

    from autopilot.adapters.clients import AwsClients

METRIC_NAME = "EstimatedMonthlyCost"


class DeliveryError(AutopilotError):
    """The report could not be delivered; what this run stored was removed, so a retry starts clean."""


def report_keys(prefix: str, at: datetime) -> tuple[str, str]:
    base = f"{prefix}{at:%Y/%m/%d}/cost-report"
    return f"{base}.json", f"{base}.md"


def _store(s3: S3Client, report: CostReport, bucket: str, prefix: str) -> tuple[str, str]:
    json_key, md_key = report_keys(prefix, report.generated_at)
    body = json.dumps(report.model_dump(mode="json"), indent=2).encode()
    s3.put_object(Bucket=bucket, Key=json_key, Body=body, ContentType="application/json")
    try:
        s3.put_object(
            Bucket=bucket, Key=md_key, Body=render_markdown(report).encode(), ContentType="text/markdown; charset=utf-8"
        )
    except Exception:
        _remove(s3, bucket, [json_key])
        raise
    return json_key, md_key


def _remove(s3: S3Client, bucket: str, keys: list[str]) -> None:
    for key in keys:
        try:
            s3.delete_object(Bucket=bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:  # the original failure matters more; say what is left
            logger.error("could not remove a partly delivered report", extra={"key": key, "error": str(exc)})


def put_cost_metric(cloudwatch: CloudWatchClient, report: CostReport) -> str:
    service = report.inventory.service
    cloudwatch.put_metric_data(
        Namespace=METRICS_NAMESPACE,
        MetricData=[
            {
                "MetricName": METRIC_NAME,
                "Dimensions": [
                    {"Name": "ClusterName", "Value": service.cluster},
                    {"Name": "ServiceName", "Value": service.service},
                ],
                "Timestamp": report.generated_at,
                "Value": report.monthly_total_usd,
                "Unit": "None",
            }
        ],
    )
    return f"{METRICS_NAMESPACE}/{METRIC_NAME} = {report.monthly_total_usd}"


def _publish(sns: SNSClient, report: CostReport, topic_arn: str, links: list[str]) -> str:
    subject, message = summary_message(report, links)
    response = sns.publish(
        TopicArn=topic_arn,
        Subject=subject,
        Message=message,
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "cost-report"}},
    )
    return str(response["MessageId"])


def deliver(clients: AwsClients, report: CostReport, bucket: str, prefix: str, topic_arn: str) -> Delivery:
    """Store (S3), measure (CloudWatch) and announce (SNS) the report, with the clients of this run."""
    delivery = Delivery(bucket=bucket or None, topic_arn=topic_arn or None)
    step = f"store the report in s3://{bucket}/{prefix}"
    try:
        if bucket:
            delivery.json_key, delivery.markdown_key = _store(clients.s3, report, bucket, prefix)
        else:
            delivery.notes.append("REPORT_BUCKET is not set: the report was not stored")
        step = f"put the {METRIC_NAME} metric"
        delivery.metric = put_cost_metric(clients.cloudwatch, report)
        links = [f"s3://{bucket}/{key}" for key in (delivery.markdown_key, delivery.json_key) if key]
        step = f"publish the summary to {topic_arn}"
        if topic_arn:
            delivery.message_id = _publish(clients.sns, report, topic_arn, links)
        else:
            delivery.notes.append("NOTIFICATION_TOPIC_ARN is not set: no summary was sent")
    except Exception as exc:  # whatever failed, remove what this run stored before saying so
        stored = [key for key in (delivery.json_key, delivery.markdown_key) if key]
        if stored:
            _remove(clients.s3, bucket, stored)
        raise DeliveryError(
            f"could not {step}: {exc}. Nothing of this run's report was kept; run the cost report again."
        ) from exc
    return delivery
