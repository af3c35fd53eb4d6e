"""Assess: classify the trigger and take a snapshot of the service for the workflow's Choice and Verify."""

from __future__ import annotations

from typing import Any

from autopilot.adapters.clients import AwsClients
from autopilot.adapters.state_table import StateTable
from autopilot.logic.classify import classify
from autopilot.models.assessment import AlarmSeen, Assessment, ServiceCounts, Verification
from autopilot.models.scaling import ScalingDecision, ServiceObservation
from autopilot.models.task_input import ParsedInput
from autopilot.operations.snapshot import observe_service
from autopilot.settings.scaling import ScalingSettings


def _verification(decision: ScalingDecision | None, seen: ServiceObservation) -> Verification | None:
    """Did the running tasks reach the floor a taken decision raised?"""
    if decision is None or not decision.taken or decision.action != "raise_floor" or decision.to_min is None:
        return None
    expected = decision.to_min
    running = seen.service.running
    return Verification(expected_running=expected, running=running, reached=running >= expected)


def _alarm(parsed: ParsedInput) -> AlarmSeen | None:
    alarm = parsed.trigger.alarm
    if alarm is None:
        return None
    return AlarmSeen(
        name=alarm.alarm_name, state=alarm.state, changed_at=alarm.changed_at.isoformat(), observed=alarm.observed_value
    )


def _observed(clients: AwsClients, parsed: ParsedInput, settings: ScalingSettings, why: str) -> dict[str, Any]:
    seen = observe_service(clients, settings, StateTable(clients.table(settings.state_table_name)))
    svc = seen.service
    verification = _verification(parsed.raw.decision, seen)
    summary = why
    if verification is not None:
        state = "reached" if verification.reached else "not yet reached"
        summary = f"{why}; running {verification.running} of the {verification.expected_running} expected: {state}"
    return {
        "summary": summary,
        "service": ServiceCounts(
            desired=svc.desired,
            running=svc.running,
            pending=svc.pending,
            rollout_state=svc.rollout_state,
            rolling_back=svc.rolling_back,
        ),
        "target": seen.target,
        "lease": seen.lease,
        "verification": verification,
    }


def assess_trigger(clients: AwsClients, parsed: ParsedInput, settings: ScalingSettings) -> dict[str, Any]:
    kind, why = classify(parsed.trigger)
    assessment = Assessment(kind=kind, reasons=[why], summary=why, alarm=_alarm(parsed))
    if kind != "database":
        assessment = assessment.model_copy(update=_observed(clients, parsed, settings, why))
    return assessment.model_dump(mode="json")
