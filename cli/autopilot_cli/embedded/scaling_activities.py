"""DescribeScalingActivities for the embedded AWS: moto 5.2.5 does not implement it.

The embedded AWS does not emulate target tracking, so Application Auto Scaling records no activity by itself:
the history is what was added with :func:`record_activity` (the tests add the flapping or refused activities
the doctor must recognise). :func:`install` adds the action to moto's responses; it is idempotent.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.core.models import DEFAULT_ACCOUNT_ID

_HISTORY = "_autopilot_scaling_activities"


def _history(backend: Any) -> list[dict[str, Any]]:
    if not hasattr(backend, _HISTORY):
        setattr(backend, _HISTORY, [])
    found: list[dict[str, Any]] = getattr(backend, _HISTORY)
    return found


def _describe(self: ApplicationAutoScalingResponse) -> str:
    resource_id = self._get_param("ResourceId")
    include_not_scaled = bool(self._get_param("IncludeNotScaledActivities"))
    activities = [
        a
        for a in _history(self.applicationautoscaling_backend)
        if (resource_id is None or a["ResourceId"] == resource_id)
        and (include_not_scaled or not a.get("NotScaledReasons"))
    ]
    newest_first = sorted(activities, key=lambda a: a["StartTime"], reverse=True)
    return json.dumps({"ScalingActivities": newest_first})


def install() -> None:
    ApplicationAutoScalingResponse.describe_scaling_activities = _describe  # type: ignore[attr-defined]


def record_activity(
    region: str,
    resource_id: str,
    at: datetime,
    description: str,
    status: str = "Successful",
    cause: str = "monitor alarm triggered policy",
    not_scaled_reasons: list[dict[str, Any]] | None = None,
) -> None:
    """Add one activity to the history of the in-process moto (as Application Auto Scaling would record it)."""
    backend = applicationautoscaling_backends[DEFAULT_ACCOUNT_ID][region]
    activity: dict[str, Any] = {
        "ActivityId": f"activity-{len(_history(backend)) + 1}",
        "ServiceNamespace": "ecs",
        "ResourceId": resource_id,
        "ScalableDimension": "ecs:service:DesiredCount",
        "Description": description,
        "Cause": cause,
        "StartTime": at.timestamp(),
        "EndTime": at.timestamp(),
        "StatusCode": status,
    }
    if not_scaled_reasons:
        activity["NotScaledReasons"] = not_scaled_reasons
    _history(backend).append(activity)
