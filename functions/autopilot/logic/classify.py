"""Which path of the workflow a trigger takes: scale-out, recovered, database or unknown (notify only).

Alarms are recognised by their metric (namespace and name) and, for composite alarms or alarms whose
configuration is not in the event, by their name.
"""

from __future__ import annotations

from autopilot.models.alarm_events import AlarmStateChange
from autopilot.models.scaling import TriggerClass
from autopilot.models.triggers import Trigger

SCALE_OUT_METRICS = frozenset(
    {
        ("AWS/ECS", "CPUUtilization"),
        ("AWS/ECS", "MemoryUtilization"),
        ("ECS/ContainerInsights", "DesiredTaskCount"),
        ("ECS/ContainerInsights", "RunningTaskCount"),
        ("ECS/ContainerInsights", "CpuUtilized"),
    }
)
DATABASE_NAMESPACE = "AWS/RDS"
SCALE_OUT_NAME_HINTS = ("cpu-emergency", "max-capacity", "at-max", "service-cpu")
DATABASE_NAME_HINTS = ("replica-lag", "db-", "database", "rds-", "-rds")


def _alarm_family(alarm: AlarmStateChange) -> str:
    pairs = set(zip(alarm.metric_namespaces, alarm.metric_names, strict=False))
    if pairs & SCALE_OUT_METRICS:
        return "scale-out"
    if any(ns == DATABASE_NAMESPACE for ns in alarm.metric_namespaces):
        return "database"
    name = alarm.alarm_name.lower()
    if any(hint in name for hint in SCALE_OUT_NAME_HINTS):
        return "scale-out"
    if any(hint in name for hint in DATABASE_NAME_HINTS):
        return "database"
    return "other"


def classify_alarm(alarm: AlarmStateChange) -> tuple[TriggerClass, str]:
    family = _alarm_family(alarm)
    if family == "scale-out" and alarm.state == "ALARM":
        return "scale-out", f"{alarm.alarm_name} is in ALARM: service capacity alarm"
    if family == "scale-out" and alarm.state == "OK":
        return "recovered", f"{alarm.alarm_name} returned to OK: a raised floor may come down after the cooldown"
    if family == "database" and alarm.state == "ALARM":
        return "database", f"{alarm.alarm_name} is in ALARM: database alarm, run the replica checks"
    if alarm.state == "INSUFFICIENT_DATA":
        return "unknown", f"{alarm.alarm_name} has insufficient data: nothing is decided on missing data"
    return "unknown", f"{alarm.alarm_name} went to {alarm.state}: no automatic action for this alarm; notified"


def classify(trigger: Trigger) -> tuple[TriggerClass, str]:
    """The workflow path for a trigger and the reason, in words."""
    if trigger.alarm is not None:
        return classify_alarm(trigger.alarm)
    if trigger.rds is not None:
        return (
            "database",
            f"RDS event {trigger.rds.detail.event_id or ''} on {trigger.rds.instance_id}: run the replica checks",
        )
    if trigger.manual is not None:
        kind = trigger.manual.kind
        if kind in ("scale-out", "recovered", "database"):
            return kind, f"manual request by {trigger.manual.requested_by}: {trigger.manual.reason}"  # type: ignore[return-value]
        return "unknown", f"manual {kind} request: handled outside the remediation workflow"
    return "unknown", "scheduled events are handled by the sweeper and the cost report, not the workflow"
