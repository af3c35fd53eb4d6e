"""Audit records for the replica checks and each promotion step (all under the replica's resource id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from autopilot.logic.replica_promotion import CHECK_ACTION, record_id
from autopilot.models.records import AuditRecord, CostImpact
from autopilot.models.replica import PromotionResult, ReplicaVerdict

# A promoted replica keeps running as the writer; the old primary keeps billing until it is fenced.
PROMOTION_COST = CostImpact(summary="no new resources; the old primary keeps costing until it is deleted")


def verdict_inputs(verdict: ReplicaVerdict) -> dict[str, Any]:
    return {
        "mode": verdict.mode,
        "lag_seconds": verdict.lag_seconds,
        "signals": verdict.signals,
        "rules": [r.model_dump() for r in verdict.rules],
    }


def check_record(verdict: ReplicaVerdict, now: datetime, function: str) -> AuditRecord:
    """The check only decides; ``taken`` is False because it changes nothing."""
    return AuditRecord(
        record_id=record_id(CHECK_ACTION, verdict.episode),
        resource_id=verdict.replica_id,
        at=now,
        function=function,
        action=CHECK_ACTION,
        taken=False,
        reason=f"{verdict.verdict} -> {verdict.next_step}: {verdict.summary}",
        episode=verdict.episode or None,
        inputs=verdict_inputs(verdict),
    )


def step_record(
    step: str,
    result: PromotionResult,
    now: datetime,
    inputs: dict[str, Any],
    changes: dict[str, Any],
    failed: str | None = None,
) -> AuditRecord:
    """One promotion step that was carried out, or (``failed``: why) tried and not done; a later success of the
    same step for the episode overwrites the failure."""
    return AuditRecord(
        record_id=record_id(step, result.episode),
        resource_id=result.replica_id,
        at=now,
        function="PromoteReplicaFunction",
        action=step,
        taken=failed is None,
        reason=f"{step} for episode {result.episode}" + (f" failed: {failed}" if failed else ""),
        episode=result.episode,
        inputs=inputs,
        changes=changes,
        cost_impact=PROMOTION_COST,
    )


def outcome_record(result: PromotionResult, now: datetime, inputs: dict[str, Any]) -> AuditRecord:
    """The promotion function's final decision (refused, dry run, failed, partial or done)."""
    return AuditRecord(
        record_id=record_id(f"promotion_{result.outcome}", result.episode),
        resource_id=result.replica_id,
        at=now,
        function="PromoteReplicaFunction",
        action=f"promotion_{result.outcome}",
        taken=False,
        dry_run=result.dry_run,
        reason=result.summary,
        episode=result.episode,
        inputs=inputs,
        changes={"steps_done": result.steps_done},
    )
