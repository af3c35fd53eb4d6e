"""Pure decisions around a promotion: may this mode promote, which episode is this, what was already done,
whether RDS has finished promoting, and what the operator does afterwards."""

from __future__ import annotations

import hashlib

from autopilot.models.approval import Approval
from autopilot.models.policy import PromotionMode
from autopilot.models.records import AuditRecord
from autopilot.models.replica import InstanceSnapshot, PriorPromotion, PromotionResult, RdsEventSnapshot
from autopilot.models.triggers import Trigger

STEP_PROMOTE = "promote_replica"
STEP_WRITER = "update_writer_host"
STEP_DEPLOY = "force_new_deployment"
STEP_FENCE = "fence_old_primary"
# Fencing comes first once RDS has finished the promotion: the old primary is stopped before the service is
# pointed at the new writer, so that nothing can write to both.
STEPS = (STEP_PROMOTE, STEP_FENCE, STEP_WRITER, STEP_DEPLOY)
CHECK_ACTION = "replica_check"


def episode_of(trigger: Trigger) -> str:
    """One failure episode, however often its event is delivered: the same trigger gives the same key."""
    if trigger.alarm is not None:
        return trigger.alarm.episode_key
    if trigger.rds is not None:
        detail = trigger.rds.detail
        return f"rds:{trigger.rds.instance_id}|{detail.event_id or detail.message}|{detail.date.isoformat()}"
    if trigger.manual is not None:
        return f"manual:{trigger.manual.requested_by}|{trigger.manual.time.isoformat()}"
    return f"{trigger.kind}:{trigger.time.isoformat()}"


def trigger_event(trigger: Trigger) -> RdsEventSnapshot | None:
    """The RDS event that started this run, as a signal about its instance."""
    if trigger.rds is None:
        return None
    detail = trigger.rds.detail
    return RdsEventSnapshot(
        source_identifier=trigger.rds.instance_id,
        at=detail.date,
        categories=detail.event_categories,
        message=detail.message,
        event_id=detail.event_id,
    )


def record_id(action: str, episode: str) -> str:
    """Deterministic: the same decision for the same episode overwrites its record instead of adding one."""
    return f"{action}-{hashlib.sha256(episode.encode()).hexdigest()[:16]}"


def mode_refusal(mode: PromotionMode, approval: Approval | None) -> str | None:
    """Why this mode may not promote now (None: it may, if the checks still pass)."""
    if mode == "off":
        return "PROMOTION_MODE is off: the control plane never promotes"
    if mode == "recommend":
        return "PROMOTION_MODE is recommend: the control plane only recommends; promote by hand, or set approve/auto"
    if mode == "approve":
        if approval is None:
            return "PROMOTION_MODE is approve and the task input carries no approval"
        if not approval.approved:
            return f"promotion was not approved (answer by {approval.by})"
    return None


def prior_promotion(records: list[AuditRecord]) -> PriorPromotion | None:
    """The latest promotion of this replica on record, with the steps done for its episode."""
    promotions = sorted((r for r in records if r.action == STEP_PROMOTE and r.taken), key=lambda r: r.at)
    if not promotions:
        return None
    last = promotions[-1]
    episode = last.episode or ""
    done = [step for step in STEPS if any(r.action == step and r.taken and r.episode == episode for r in records)]
    return PriorPromotion.model_validate(
        {
            "episode": episode,
            "at": last.at,
            "replica_created_at": last.inputs.get("replica_created_at"),
            "new_writer_host": last.changes.get("new_writer_host"),
            "steps_done": done,
        }
    )


def remaining_steps(prior: PriorPromotion | None, fence: bool = False) -> list[str]:
    """The steps still to do, in order; fencing only when this mode fences (``auto``)."""
    done = set(prior.steps_done) if prior else set()
    return [step for step in STEPS if step not in done and (fence or step != STEP_FENCE)]


def promotion_unfinished(replica: InstanceSnapshot) -> str | None:
    """Why RDS has not finished promoting ``replica`` (None: it is ``available`` with no replication source).

    RDS reboots the replica to promote it; until it is available and no longer names a source, the service must
    keep its writer host."""
    waiting = []
    if replica.status != "available":
        waiting.append(f"its status is {replica.status!r}, not 'available'")
    if replica.read_replica_source:
        waiting.append(f"it still replicates from {replica.read_replica_source}")
    return " and ".join(waiting) or None


def polls_so_far(previous: PromotionResult | None) -> int:
    """How many times the promotion already found RDS still promoting (the workflow's last promotion result)."""
    if previous is None or previous.outcome != "waiting":
        return 0
    return previous.polls


def fence_instruction(primary_id: str, fenced: bool | None, fence_error: str | None) -> str:
    """What the operator does about the old primary: nothing but clean-up if it was stopped, else fence it."""
    if fenced:
        return (
            f"The old primary {primary_id} was stopped (fenced): it cannot take writes. RDS starts a stopped "
            "instance again after 7 days: delete it (after a final snapshot) before then, or stop it again."
        )
    by_hand = (
        f"stop it (aws rds stop-db-instance --db-instance-identifier {primary_id}) as soon as RDS allows, or delete "
        "it after a final snapshot; until then keep every client off it, so that nothing writes to two primaries."
    )
    if fenced is False:
        return f"Fencing the old primary {primary_id} FAILED ({fence_error}): fence it by hand: {by_hand}"
    return (
        f"Fence the old primary {primary_id}: RDS does not demote it. Stop it or remove it from every client's "
        "configuration before it comes back, so that nothing writes to two primaries."
    )


def operator_instructions(
    primary_id: str,
    replica_id: str,
    new_writer_host: str | None,
    writer_parameter: str,
    fence: tuple[bool | None, str | None] = (None, None),
) -> list[str]:
    """What an operator does after a promotion; ``fence`` is (fenced, why not) when this mode fences."""
    host = new_writer_host or f"the endpoint of {replica_id}"
    return [
        fence_instruction(primary_id, *fence),
        f"The service now writes to {host} (SSM parameter {writer_parameter}); check its /readyz.",
        f"Create a new read replica of {replica_id} (same class, storage and parameter group) and set "
        "REPLICA_DB_INSTANCE_ID / PRIMARY_DB_INSTANCE_ID to the new pair.",
        "If an RDS Proxy fronts the database, re-point its target to the new writer: a proxy targets only the "
        "writer it was registered with.",
        f"Turn on automated backups on {replica_id} if they are off (a promoted replica keeps its own retention).",
    ]
