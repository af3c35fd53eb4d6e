"""The events EventBridge carries in the simulation: alarm state changes and the sweeper's schedule.

Shapes as CloudWatch and EventBridge send them (see events/ for real samples); times are virtual.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from autopilot_cli.simulate.cloudwatch import AlarmDefinition

EPOCH = datetime(2026, 11, 27, tzinfo=UTC)  # virtual second 0; any fixed instant works
_ALARM_METRICS = {
    "cpu-emergency": ("AWS/ECS", "CPUUtilization"),
    "at-max-capacity": ("ECS/ContainerInsights", "RunningTaskCount"),
}


def at(second: int) -> datetime:
    return EPOCH + timedelta(seconds=second)


def _iso_z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Where:
    account: str
    region: str
    cluster: str
    service: str
    stack_name: str


def reason_data(definition: AlarmDefinition, points: list[float]) -> tuple[str, str]:
    """(reason, reasonData) as CloudWatch writes them; ``recentDatapoints`` is what the handlers read."""
    shown = ", ".join(f"{p:.1f}" for p in points)
    reason = f"Threshold Crossed: datapoints [{shown}] vs threshold {definition.threshold:g} (simulated)"
    data = {
        "version": "1.0",
        "statistic": definition.statistic,
        "period": definition.period,
        "recentDatapoints": [round(p, 3) for p in points],
        "threshold": definition.threshold,
    }
    return reason, json.dumps(data)


def _configuration(where: Where, definition: AlarmDefinition) -> dict[str, Any]:
    suffix = definition.name.removeprefix(f"{where.stack_name}-")
    namespace, metric = _ALARM_METRICS.get(suffix, ("AWS/ECS", "CPUUtilization"))
    dimensions = {"ClusterName": where.cluster, "ServiceName": where.service}
    stat: dict[str, Any] = {"metric": {"namespace": namespace, "name": metric, "dimensions": dimensions}}
    stat |= {"period": definition.period, "stat": definition.statistic}
    return {"metrics": [{"id": "m1", "metricStat": stat, "returnData": True}]}


def alarm_event(
    where: Where,
    definition: AlarmDefinition,
    state: str,
    second: int,
    reason: tuple[str, str],
    previous: tuple[str, datetime],
) -> dict[str, Any]:
    """ "CloudWatch Alarm State Change" for ``definition`` going to ``state`` at virtual ``second``."""
    when = at(second)
    arn = f"arn:aws:cloudwatch:{where.region}:{where.account}:alarm:{definition.name}"
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}#{second}#{state}")),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": where.account,
        "time": _iso_z(when),
        "region": where.region,
        "resources": [arn],
        "detail": {
            "alarmName": definition.name,
            "state": {"value": state, "reason": reason[0], "reasonData": reason[1], "timestamp": when.isoformat()},
            "previousState": {"value": previous[0], "timestamp": previous[1].replace(tzinfo=UTC).isoformat()},
            "configuration": _configuration(where, definition),
        },
    }


def scheduled_event(where: Where, second: int) -> dict[str, Any]:
    """The sweeper's EventBridge schedule firing at virtual ``second``."""
    return {
        "version": "0",
        "id": str(uuid.UUID(int=second)),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": where.account,
        "time": _iso_z(at(second)),
        "region": where.region,
        "resources": [f"arn:aws:events:{where.region}:{where.account}:rule/{where.stack_name}-sweeper"],
        "detail": {},
    }
