"""CloudWatch: the service's recent CPU and an alarm's current state."""

from __future__ import annotations

from datetime import datetime, timedelta

from autopilot.adapters.aws import client


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


def alarm_state(alarm_name: str) -> str | None:
    """An alarm's current state, or None when it does not exist."""
    alarms = client("cloudwatch").describe_alarms(AlarmNames=[alarm_name]).get("MetricAlarms", [])
    return str(alarms[0]["StateValue"]) if alarms else None
