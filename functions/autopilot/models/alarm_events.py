"""CloudWatch alarm state changes, as EventBridge delivers them and as an alarm invokes Lambda directly.

Both shapes normalise to :class:`AlarmStateChange`. Single-metric, metric-math, anomaly-detection and
composite alarms differ only in ``configuration`` and ``reasonData``; the fields we rely on are common.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field

AlarmStateValue = Literal["OK", "ALARM", "INSUFFICIENT_DATA"]


class AlarmState(BaseModel):
    model_config = ConfigDict(extra="allow")

    value: AlarmStateValue
    reason: str = ""
    reason_data: str | None = Field(default=None, alias="reasonData")
    timestamp: datetime


class AlarmMetricStat(BaseModel):
    model_config = ConfigDict(extra="allow")
    metric: dict[str, Any] = Field(default_factory=dict)
    period: int | None = None
    stat: str | None = None


class AlarmMetric(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = ""
    metric_stat: AlarmMetricStat | None = Field(default=None, alias="metricStat")
    expression: str | None = None
    return_data: bool | None = Field(default=None, alias="returnData")


class AlarmConfiguration(BaseModel):
    model_config = ConfigDict(extra="allow")
    description: str | None = None
    metrics: list[AlarmMetric] = Field(default_factory=list)
    alarm_rule: str | None = Field(default=None, alias="alarmRule")


class AlarmDetail(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    alarm_name: str = Field(alias="alarmName", min_length=1)
    state: AlarmState
    previous_state: AlarmState | None = Field(default=None, alias="previousState")
    configuration: AlarmConfiguration = Field(default_factory=AlarmConfiguration)


class EventBridgeAlarmEvent(EventBridgeModel):
    """``detail-type: CloudWatch Alarm State Change``, ``source: aws.cloudwatch`` (Powertools' envelope)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    detail_type: Literal["CloudWatch Alarm State Change"] = Field(alias="detail-type")
    source: Literal["aws.cloudwatch"]
    resources: list[str] = Field(min_length=1)
    detail: AlarmDetail


class DirectAlarmEvent(BaseModel):
    """The event an alarm sends when its action invokes a Lambda function directly."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    source: Literal["aws.cloudwatch"]
    alarm_arn: str = Field(alias="alarmArn", min_length=1)
    account_id: str = Field(alias="accountId")
    region: str
    time: datetime
    alarm_data: AlarmDetail = Field(alias="alarmData")


class AlarmStateChange(BaseModel):
    """One alarm transition, whatever shape it arrived in."""

    alarm_arn: str
    alarm_name: str
    account: str
    region: str
    state: AlarmStateValue
    previous_state: AlarmStateValue | None
    changed_at: datetime
    reason: str
    recent_datapoints: list[float] = Field(default_factory=list)
    threshold: float | None = None
    metric_names: list[str] = Field(default_factory=list)
    metric_namespaces: list[str] = Field(default_factory=list)
    composite: bool = False

    @property
    def episode_key(self) -> str:
        """Alarm ARN + state-change time: the same episode however often EventBridge delivers it."""
        return f"{self.alarm_arn}|{self.changed_at.isoformat()}"

    @property
    def observed_value(self) -> float | None:
        """The largest recent datapoint (the level that tripped the alarm), when the alarm reports one."""
        return max(self.recent_datapoints) if self.recent_datapoints else None


def _reason_numbers(reason_data: str | None) -> tuple[list[float], float | None]:
    if not reason_data:
        return [], None
    try:
        data = json.loads(reason_data)
    except json.JSONDecodeError:
        return [], None
    if not isinstance(data, dict):
        return [], None
    points = [float(p) for p in data.get("recentDatapoints", []) if isinstance(p, int | float)]
    threshold = data.get("threshold")
    return points, float(threshold) if isinstance(threshold, int | float) else None


def _metric_field(config: AlarmConfiguration, key: str) -> list[str]:
    values = []
    for metric in config.metrics:
        if metric.metric_stat is not None:
            value = metric.metric_stat.metric.get(key)
            if isinstance(value, str):
                values.append(value)
    return values


def normalise_alarm(arn: str, account: str, region: str, detail: AlarmDetail) -> AlarmStateChange:
    points, threshold = _reason_numbers(detail.state.reason_data)
    return AlarmStateChange(
        alarm_arn=arn,
        alarm_name=detail.alarm_name,
        account=account,
        region=region,
        state=detail.state.value,
        previous_state=detail.previous_state.value if detail.previous_state else None,
        changed_at=detail.state.timestamp,
        reason=detail.state.reason,
        recent_datapoints=points,
        threshold=threshold,
        metric_names=_metric_field(detail.configuration, "name"),
        metric_namespaces=_metric_field(detail.configuration, "namespace"),
        composite=detail.configuration.alarm_rule is not None,
    )


class AlarmObservation(BaseModel):
    """An alarm as DescribeAlarms shows it now: its state, when it last changed state, and what it watches."""

    name: str
    state: AlarmStateValue
    transitioned_at: datetime
    composite: bool = False
    namespace: str | None = None
    metric_name: str | None = None
    dimensions: dict[str, str] = Field(default_factory=dict)
