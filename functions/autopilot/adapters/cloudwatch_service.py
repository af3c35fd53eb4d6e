"""CloudWatch: the service's recent CPU and an alarm's current state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from autopilot.models.alarm_events import AlarmObservation

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.literals import AlarmTypeType
    from mypy_boto3_cloudwatch.type_defs import CompositeAlarmTypeDef, MetricAlarmTypeDef

ALARM_TYPES: Sequence[AlarmTypeType] = ["MetricAlarm", "CompositeAlarm"]


def service_cpu(
    cloudwatch: CloudWatchClient, cluster: str, service: str, now: datetime, minutes: int = 5
) -> float | None:
    """The highest one-minute average CPU of the service in the last ``minutes``, or None without data."""
    resp = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "cpu",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/ECS",
                        "MetricName": "CPUUtilization",
                        "Dimensions": [
                            {"Name": "ClusterName", "Value": cluster},
                            {"Name": "ServiceName", "Value": service},
                        ],
                    },
                    "Period": 60,
                    "Stat": "Average",
                },
            }
        ],
        StartTime=now - timedelta(minutes=minutes),
        EndTime=now,
    )
    values = [v for r in resp.get("MetricDataResults", []) for v in r.get("Values", [])]
    return max(values) if values else None


def _transitioned(alarm: MetricAlarmTypeDef | CompositeAlarmTypeDef) -> datetime:
    """When the alarm last changed state. ``StateTransitionedTimestamp`` is that; ``StateUpdatedTimestamp`` also
    moves on updates that keep the state, so it is only the fallback when the former is absent."""
    stamp = alarm.get("StateTransitionedTimestamp") or alarm["StateUpdatedTimestamp"]
    moment: datetime = stamp
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def describe_alarm(cloudwatch: CloudWatchClient, alarm_name: str) -> AlarmObservation | None:
    """The alarm's current state and transition time (metric or composite), or None when it does not exist."""
    resp = cloudwatch.describe_alarms(AlarmNames=[alarm_name], AlarmTypes=ALARM_TYPES)
    metric = resp.get("MetricAlarms", [])
    composite = resp.get("CompositeAlarms", [])
    if metric:
        alarm = metric[0]
        return AlarmObservation(
            name=alarm["AlarmName"],
            state=alarm["StateValue"],
            transitioned_at=_transitioned(alarm),
            composite=False,
            namespace=alarm.get("Namespace"),
            metric_name=alarm.get("MetricName"),
            dimensions={d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
        )
    if composite:
        found = composite[0]
        return AlarmObservation(
            name=found["AlarmName"],
            state=found["StateValue"],
            transitioned_at=_transitioned(found),
            composite=True,
        )
    return None


_KEPT = (
    "AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
    "MetricName", "Namespace", "Statistic", "Dimensions", "Period", "EvaluationPeriods", "DatapointsToAlarm",
    "ComparisonOperator", "TreatMissingData", "Unit",
)  # fmt: skip


def set_alarm_threshold(cloudwatch: CloudWatchClient, alarm_name: str, threshold: float) -> bool:
    """Move a metric alarm's threshold (PutMetricAlarm replaces the alarm whole, so the rest is copied from
    DescribeAlarms). Returns False when the alarm does not exist or already has that threshold."""
    alarms = cloudwatch.describe_alarms(AlarmNames=[alarm_name], AlarmTypes=["MetricAlarm"]).get("MetricAlarms", [])
    if not alarms or float(alarms[0]["Threshold"]) == threshold:
        return False
    current: Mapping[str, Any] = alarms[0]  # read by name: the fields PutMetricAlarm takes back, whichever are set
    kept = {key: current[key] for key in _KEPT if current.get(key) not in (None, [])}
    cloudwatch.put_metric_alarm(**kept, Threshold=threshold)
    return True
