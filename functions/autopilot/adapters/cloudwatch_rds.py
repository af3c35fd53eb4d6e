"""ReplicaLag and DatabaseConnections datapoints of the database pair, in one GetMetricData call."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from autopilot.models.replica import Datapoint

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricDataQueryTypeDef, MetricDataResultTypeDef

PERIOD_SECONDS = 60


def _query(query_id: str, metric: str, instance_id: str) -> MetricDataQueryTypeDef:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/RDS",
                "MetricName": metric,
                "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": instance_id}],
            },
            "Period": PERIOD_SECONDS,
            "Stat": "Maximum",
        },
        "ReturnData": True,
    }


def _points(result: MetricDataResultTypeDef) -> list[Datapoint]:
    return [
        Datapoint(at=moment.astimezone(UTC), value=float(value))
        for moment, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False)
    ]


class RdsMetrics:
    """Reads the RDS metrics the promotion checks need; errors propagate (the caller cannot observe)."""

    def __init__(self, cloudwatch: CloudWatchClient) -> None:
        self._cw = cloudwatch

    def pair_window(
        self, primary_id: str, replica_id: str, start: datetime, end: datetime
    ) -> tuple[list[Datapoint], list[Datapoint]]:
        """(DatabaseConnections of the primary, ReplicaLag of the replica) over ``[start, end)``."""
        queries = [_query("connections", "DatabaseConnections", primary_id), _query("lag", "ReplicaLag", replica_id)]
        found: dict[str, list[Datapoint]] = {"connections": [], "lag": []}
        kwargs: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end}
        while True:
            page = self._cw.get_metric_data(**kwargs)
            for result in page.get("MetricDataResults", []):
                found.setdefault(result["Id"], []).extend(_points(result))
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
        return found["connections"], found["lag"]
