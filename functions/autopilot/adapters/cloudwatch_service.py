"""CloudWatch: the service's recent CPU and an alarm's current state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from autopilot.adapters.aws import client
from autopilot.models.alarm_events import AlarmObservation

ALARM_TYPES = ["MetricAlarm", "CompositeAlarm"]


def service_cpu(cluster: str, service: str, now: datetime, minutes: int = 5) -> float | None:
    """The highest one-minute average CPU of the service in the last ``minutes``, or None without data."""
    resp = client("cloudwatch").get_metric_data(
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


def _transitioned(alarm: dict[str, Any]) -> datetime:
    """When the alarm last changed state. ``StateTransitionedTimestamp`` is that; ``StateUpdatedTimestamp`` also
    moves on updates that keep the state, so it is only the fallback when the former is absent."""
    stamp = alarm.get("StateTransitionedTimestamp") or alarm["StateUpdatedTimestamp"]
    moment: datetime = stamp
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def describe_alarm(alarm_name: str) -> AlarmObservation | None:
    """The alarm's current state and transition time (metric or composite), or None when it does not exist."""
    resp = client("cloudwatch").describe_alarms(AlarmNames=[alarm_name], AlarmTypes=ALARM_TYPES)
    metric = resp.get("MetricAlarms", [])
    composite = resp.get("CompositeAlarms", [])
    if not metric and not composite:
        return None
    alarm = (metric or composite)[0]
    return AlarmObservation(
        name=alarm["AlarmName"],
        state=alarm["StateValue"],
        transitioned_at=_transitioned(alarm),
        composite=not metric,
        namespace=alarm.get("Namespace"),
        metric_name=alarm.get("MetricName"),
        dimensions={d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
    )


_KEPT = (
    "AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
    "MetricName", "Namespace", "Statistic", "Dimensions", "Period", "EvaluationPeriods", "DatapointsToAlarm",
    "ComparisonOperator", "TreatMissingData", "Unit",
)  # fmt: skip


def set_alarm_threshold(alarm_name: str, threshold: float) -> bool:
    """Move a metric alarm's threshold (PutMetricAlarm replaces the alarm whole, so the rest is copied from
    DescribeAlarms). Returns False when the alarm does not exist or already has that threshold."""
    cloudwatch = client("cloudwatch")
    alarms = cloudwatch.describe_alarms(AlarmNames=[alarm_name], AlarmTypes=["MetricAlarm"]).get("MetricAlarms", [])
    if not alarms or float(alarms[0]["Threshold"]) == threshold:
        return False
    kept = {key: alarms[0][key] for key in _KEPT if alarms[0].get(key) not in (None, [])}
    cloudwatch.put_metric_alarm(**kept, Threshold=threshold)
    return True
