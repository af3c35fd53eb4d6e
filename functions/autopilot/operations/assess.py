"""Assess: classify the trigger and take a snapshot of the service for the workflow's Choice and Verify."""

from __future__ import annotations

from typing import Any

from autopilot.adapters.state_table import StateTable
from autopilot.logic.classify import classify
from autopilot.models.scaling import ServiceObservation
from autopilot.models.task_input import ParsedInput
from autopilot.operations.snapshot import observe_service
from autopilot.settings.scaling import ScalingSettings


def _verification(decision: dict[str, Any] | None, seen: ServiceObservation) -> dict[str, Any] | None:
    """Did the running tasks reach the floor a taken decision raised?"""
    if not decision or not decision.get("taken") or decision.get("action") != "raise_floor":
        return None
    expected = int(decision.get("to_min", 0))
    running = seen.service.running
    return {"expected_running": expected, "running": running, "reached": running >= expected}


def assess_trigger(parsed: ParsedInput, settings: ScalingSettings) -> dict[str, Any]:
    kind, why = classify(parsed.trigger)
    alarm = parsed.trigger.alarm
    result: dict[str, Any] = {
        "kind": kind,
        "reasons": [why],
        "summary": why,
        "service": None,
        "target": None,
        "lease": None,
        "alarm": {
            "name": alarm.alarm_name,
            "state": alarm.state,
            "changed_at": alarm.changed_at.isoformat(),
            "observed": alarm.observed_value,
        }
        if alarm
        else None,
        "verification": None,
    }
    if kind == "database":
        return result
    seen = observe_service(settings, StateTable(settings.state_table_name))
    svc = seen.service
    result["service"] = {
        "desired": svc.desired,
        "running": svc.running,
        "pending": svc.pending,
        "rollout_state": svc.rollout_state,
        "rolling_back": svc.rolling_back,
    }
    result["target"] = {"resource_id": seen.target.resource_id, "min": seen.target.min, "max": seen.target.max}
    result["lease"] = seen.lease.model_dump(mode="json") if seen.lease else None
    result["verification"] = _verification(parsed.raw.decision, seen)
    if result["verification"] is not None:
        v = result["verification"]
        state = "reached" if v["reached"] else "not yet reached"
        result["summary"] = f"{why}; running {v['running']} of the {v['expected_running']} expected: {state}"
    return result
