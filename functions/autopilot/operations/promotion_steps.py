"""The steps of a promotion, each recorded in the audit trail as soon as it is done.

promote_replica -> (RDS finishes: the instance is ``available`` with no replication source) -> fence_old_primary
(``auto`` mode only) -> update_writer_host -> force_new_deployment. While RDS is still promoting, the run ends
``waiting``; the next call for the episode carries on from the audit trail (the workflow waits and calls again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from autopilot.adapters.clients import AwsClients
from autopilot.adapters.ecs_deploy import ServiceDeployer
from autopilot.adapters.rds import RdsAdapter
from autopilot.adapters.ssm import ParameterStore
from autopilot.adapters.state_table import StateTable
from autopilot.errors import ObservationError
from autopilot.logic.replica_audit import step_record
from autopilot.logic.replica_promotion import (
    STEP_FENCE,
    STEP_PROMOTE,
    STEP_WRITER,
    operator_instructions,
    promotion_unfinished,
)
from autopilot.models.approval import Approval
from autopilot.models.replica import PromotionResult, ReplicaObservation
from autopilot.models.triggers import Trigger
from autopilot.settings.replica import ReplicaSettings

AwsErrors = (ClientError, BotoCoreError, ObservationError)


@dataclass
class Request:
    trigger: Trigger
    settings: ReplicaSettings
    now: datetime
    episode: str
    approval: Approval | None
    dry_run: bool
    table: StateTable
    clients: AwsClients
    earlier_polls: int = 0

    @property
    def lock_name(self) -> str:
        return f"promote#{self.settings.replica_db_instance_id}"

    @property
    def fences(self) -> bool:
        """Only ``auto`` fences the old primary; in ``approve`` mode the operator is told to."""
        return self.settings.promotion_mode == "auto"

    def result(self, **fields: Any) -> PromotionResult:
        s = self.settings
        base = {
            "mode": s.promotion_mode,
            "dry_run": self.dry_run,
            "primary_id": s.primary_db_instance_id,
            "replica_id": s.replica_db_instance_id,
            "episode": self.episode,
        }
        return PromotionResult.model_validate(base | fields)


def with_instructions(req: Request, result: PromotionResult) -> PromotionResult:
    s = req.settings
    result.operator_steps = operator_instructions(
        s.primary_db_instance_id,
        s.replica_db_instance_id,
        result.new_writer_host,
        s.writer_host_parameter,
        (result.fenced, result.fence_error),
    )
    return result


def _do_step(req: Request, step: str, result: PromotionResult) -> dict[str, Any]:
    """Carry out one step; returns what changed (for the audit record)."""
    s = req.settings
    if step == STEP_PROMOTE:
        RdsAdapter(req.clients.rds).promote(s.replica_db_instance_id)
        return {"promoted": s.replica_db_instance_id, "new_writer_host": result.new_writer_host}
    if step == STEP_FENCE:
        RdsAdapter(req.clients.rds).stop(s.primary_db_instance_id)
        return {"stopped": s.primary_db_instance_id}
    if step == STEP_WRITER:
        if not result.new_writer_host:
            raise ObservationError("the replica's endpoint is unknown; set the writer host to it by hand")
        version = ParameterStore(req.clients.ssm).put(s.writer_host_parameter, result.new_writer_host)
        change = {"from": result.previous_writer_host, "to": result.new_writer_host, "version": version}
        return {"parameter": s.writer_host_parameter} | change
    deployment = ServiceDeployer(req.clients.ecs).force_new_deployment(s.cluster_name, s.service_name)
    return {"cluster": s.cluster_name, "service": s.service_name, "deployment_id": deployment}


def _step_inputs(req: Request, obs: ReplicaObservation | None) -> dict[str, Any]:
    replica = obs.replica if obs else None
    return {
        "approval": req.approval.model_dump() if req.approval else None,
        "mode": req.settings.promotion_mode,
        "replica_created_at": replica.created_at.isoformat() if replica and replica.created_at else None,
    }


def _still_promoting(req: Request, result: PromotionResult) -> bool:
    """True (and the result says ``waiting``) while RDS has not finished the promotion."""
    try:
        why = promotion_unfinished(RdsAdapter(req.clients.rds).describe_instance(req.settings.replica_db_instance_id))
    except AwsErrors as exc:
        why = f"it could not be described ({exc})"
    if why is None:
        return False
    result.outcome, result.polls = "waiting", req.earlier_polls + 1
    result.summary = (
        f"Promoted {result.replica_id}; RDS has not finished the promotion yet ({why}), so the service still writes "
        f"to {result.previous_writer_host or 'its current writer host'}. This episode's next call carries on "
        f"(look {result.polls})."
    )
    result.reasons.append(result.summary)
    return True


def _fence(req: Request, result: PromotionResult, obs: ReplicaObservation | None) -> None:
    """Stop the old primary. A failure is recorded and reported (fence by hand), and the steps go on: the
    primary is down, and the service must not wait for it to be stoppable."""
    try:
        changes = _do_step(req, STEP_FENCE, result)
    except (ClientError, BotoCoreError) as exc:
        result.fenced, result.fence_error = False, str(exc)
        note = f"could not stop {result.primary_id}: {exc}"
        req.table.record(step_record(STEP_FENCE, result, req.now, _step_inputs(req, obs), {}, failed=note))
        return
    result.fenced = True
    req.table.record(step_record(STEP_FENCE, result, req.now, _step_inputs(req, obs), changes))
    result.steps_done.append(STEP_FENCE)


def _step_failed(result: PromotionResult, step: str, exc: Exception) -> None:
    if step == STEP_PROMOTE:
        result.outcome = "failed"
        result.summary = f"Promotion of {result.replica_id} failed: {exc}. Nothing was changed."
    else:
        result.outcome = "partial"
        result.summary = (
            f"Promoted {result.replica_id}, but {step} failed: {exc}. Invoke this function again for the "
            "same episode to finish (it will not promote twice), or do the step by hand."
        )
    result.reasons.append(result.summary)


def run_steps(req: Request, steps: list[str], result: PromotionResult, obs: ReplicaObservation | None) -> None:
    """Each step is recorded as soon as it is done, so a re-run for this episode carries on from there."""
    for index, step in enumerate(steps):
        first_after_promotion = step != STEP_PROMOTE and (index == 0 or steps[index - 1] == STEP_PROMOTE)
        if first_after_promotion and _still_promoting(req, result):
            return
        if step == STEP_FENCE:
            _fence(req, result, obs)
            continue
        try:
            changes = _do_step(req, step, result)
        except AwsErrors as exc:
            _step_failed(result, step, exc)
            return
        req.table.record(step_record(step, result, req.now, _step_inputs(req, obs), changes))
        result.steps_done.append(step)


def _preflight(req: Request, result: PromotionResult) -> str | None:
    """Read what the later steps write, before the irreversible one; returns an error or None."""
    s = req.settings
    try:
        result.previous_writer_host = ParameterStore(req.clients.ssm).get(s.writer_host_parameter)
        ServiceDeployer(req.clients.ecs).check_exists(s.cluster_name, s.service_name)
    except AwsErrors as exc:
        return f"pre-flight read failed ({exc}); nothing was changed"
    return None


def _fence_sentence(req: Request, result: PromotionResult) -> str:
    if result.fenced and STEP_FENCE not in result.steps_done:
        return f"The old primary {result.primary_id} was stopped (fenced) earlier."
    if result.fenced:
        return f"The old primary {result.primary_id} was stopped (fenced)."
    if result.fenced is False:
        return f"Fencing the old primary {result.primary_id} FAILED ({result.fence_error}): fence it by hand."
    return f"Fence the old primary {result.primary_id}."


def act(req: Request, steps: list[str], result: PromotionResult, obs: ReplicaObservation | None) -> PromotionResult:
    """Pre-flight reads, then the steps; the summary says what was done and what the operator does next."""
    error = _preflight(req, result)
    if error is not None:
        result.outcome, result.summary = "failed", f"Stopped before {steps[0]}: {error}."
        result.reasons.append(error)
        return result if STEP_PROMOTE in steps else with_instructions(req, result)
    run_steps(req, steps, result, obs)
    if result.outcome in {"promoted", "resumed"}:
        result.summary = (
            f"{'Promoted' if result.outcome == 'promoted' else 'Finished promoting'} {result.replica_id}: writer "
            f"host is now {result.new_writer_host}; {', '.join(result.steps_done)} done. "
            f"{_fence_sentence(req, result)}"
        )
    return result if result.outcome == "failed" else with_instructions(req, result)
