"""The promotion, end to end: re-check, promote the read replica, point the service at it, record each step.

Only in PROMOTION_MODE approve (with an approval in the task input) or auto. It re-runs the checks first
and refuses if they no longer recommend promotion; it holds the promotion lock while it acts. The audit trail
makes it idempotent per episode: a second call does not promote twice, it finishes what is left.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from autopilot.adapters.ecs_deploy import ServiceDeployer
from autopilot.adapters.rds import RdsAdapter
from autopilot.adapters.ssm import ParameterStore
from autopilot.adapters.state_table import StateTable
from autopilot.errors import ObservationError
from autopilot.logic.replica_audit import outcome_record, step_record, verdict_inputs
from autopilot.logic.replica_promotion import (
    STEP_DEPLOY,
    STEP_PROMOTE,
    STEP_WRITER,
    mode_refusal,
    operator_instructions,
    remaining_steps,
)
from autopilot.logic.replica_rules import lock_held
from autopilot.models.approval import Approval
from autopilot.models.replica import PromotionResult, ReplicaObservation
from autopilot.models.triggers import Trigger
from autopilot.operations.replica_check import load_prior, run_check
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

    @property
    def lock_name(self) -> str:
        return f"promote#{self.settings.replica_db_instance_id}"

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


def _refused(req: Request, reasons: list[str], **fields: Any) -> PromotionResult:
    summary = f"Did not promote {req.settings.replica_db_instance_id}: {reasons[0]}."
    return req.result(outcome="refused", reasons=reasons, summary=summary, **fields)


def _with_instructions(req: Request, result: PromotionResult) -> PromotionResult:
    s = req.settings
    result.operator_steps = operator_instructions(
        s.primary_db_instance_id, s.replica_db_instance_id, result.new_writer_host, s.writer_host_parameter
    )
    return result


def _do_step(req: Request, step: str, result: PromotionResult) -> dict[str, Any]:
    """Carry out one step; returns what changed (for the audit record)."""
    s = req.settings
    if step == STEP_PROMOTE:
        RdsAdapter().promote(s.replica_db_instance_id)
        return {"promoted": s.replica_db_instance_id, "new_writer_host": result.new_writer_host}
    if step == STEP_WRITER:
        if not result.new_writer_host:
            raise ObservationError("the replica's endpoint is unknown; set the writer host to it by hand")
        version = ParameterStore().put(s.writer_host_parameter, result.new_writer_host)
        change = {"from": result.previous_writer_host, "to": result.new_writer_host, "version": version}
        return {"parameter": s.writer_host_parameter} | change
    deployment = ServiceDeployer().force_new_deployment(s.cluster_name, s.service_name)
    return {"cluster": s.cluster_name, "service": s.service_name, "deployment_id": deployment}


def _step_inputs(req: Request, obs: ReplicaObservation | None) -> dict[str, Any]:
    replica = obs.replica if obs else None
    return {
        "approval": req.approval.model_dump() if req.approval else None,
        "mode": req.settings.promotion_mode,
        "replica_created_at": replica.created_at.isoformat() if replica and replica.created_at else None,
    }


def _run_steps(req: Request, steps: list[str], result: PromotionResult, obs: ReplicaObservation | None) -> None:
    """Each step is recorded as soon as it is done, so a re-run for this episode carries on from there."""
    for step in steps:
        try:
            changes = _do_step(req, step, result)
        except AwsErrors as exc:
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
            return
        req.table.record(step_record(step, result, req.now, _step_inputs(req, obs), changes))
        result.steps_done.append(step)


def _preflight(req: Request, result: PromotionResult) -> str | None:
    """Read what the later steps write, before the irreversible one; returns an error or None."""
    s = req.settings
    try:
        result.previous_writer_host = ParameterStore().get(s.writer_host_parameter)
        ServiceDeployer().check_exists(s.cluster_name, s.service_name)
    except AwsErrors as exc:
        return f"pre-flight read failed ({exc}); nothing was changed"
    return None


def _act(req: Request, steps: list[str], result: PromotionResult, obs: ReplicaObservation | None) -> PromotionResult:
    error = _preflight(req, result)
    if error is not None:
        result.outcome, result.summary = "failed", f"Stopped before {steps[0]}: {error}."
        result.reasons.append(error)
        return result if STEP_PROMOTE in steps else _with_instructions(req, result)
    _run_steps(req, steps, result, obs)
    if result.outcome in {"promoted", "resumed"}:
        result.summary = (
            f"{'Promoted' if result.outcome == 'promoted' else 'Finished promoting'} {result.replica_id}: writer "
            f"host is now {result.new_writer_host}; {', '.join(result.steps_done)} done. Fence the old primary "
            f"{result.primary_id}."
        )
    return result if result.outcome == "failed" else _with_instructions(req, result)


def _promote_fresh(req: Request) -> PromotionResult:
    obs, verdict = run_check(req.trigger, req.settings, req.now, req.table)
    if verdict.verdict != "promotion_recommended" or not verdict.promotable:
        why = verdict.reasons or [verdict.summary]
        return _refused(req, [f"the checks, re-run now, say {verdict.verdict}", *why], verdict=verdict)
    host = obs.replica.endpoint_address if obs.replica else None
    if not host:
        return _refused(req, ["the replica has no endpoint address yet"], verdict=verdict)
    result = req.result(outcome="promoted", new_writer_host=host, verdict=verdict, summary="", reasons=[])
    if req.dry_run:
        result.outcome = "dry_run"
        result.summary = (
            f"Dry run: would promote {result.replica_id}, set {req.settings.writer_host_parameter} to {host} and "
            "force a new deployment. Nothing was changed."
        )
        return result
    return _act(req, [STEP_PROMOTE, STEP_WRITER, STEP_DEPLOY], result, obs)


def _locked(req: Request) -> PromotionResult:
    """Under the lock: an episode already promoted is finished (never promoted twice), else a fresh promotion."""
    try:
        prior = load_prior(req.table, req.settings.replica_db_instance_id, req.now)
    except AwsErrors as exc:
        why = f"cannot read the audit trail ({exc}); nothing was changed"
        return req.result(outcome="failed", reasons=[why], summary=f"Did not promote: {why}.")
    if prior is None or prior.episode != req.episode:
        return _promote_fresh(req)
    steps = remaining_steps(prior)
    result = req.result(
        outcome="resumed", new_writer_host=prior.new_writer_host, earlier_steps=prior.steps_done, summary=""
    )
    if not steps:
        result.outcome = "already_promoted"
        result.summary = f"{result.replica_id} was already promoted for this episode at {prior.at.isoformat()}."
        return _with_instructions(req, result)
    return _act(req, steps, result, None)


def promote(req: Request) -> PromotionResult:
    refusal = mode_refusal(req.settings.promotion_mode, req.approval)
    if refusal is not None:
        return _refused(req, [refusal])
    if req.dry_run:
        return _promote_fresh(req)
    owner = f"{req.episode}#{uuid.uuid4().hex}"
    lock_ttl = timedelta(seconds=req.settings.promotion_lock_seconds)
    lock = lock_held(req.table.acquire_lock(req.lock_name, owner, req.now, lock_ttl), req.lock_name)
    if lock.outcome != "pass":
        return _refused(req, [lock.reason])
    try:
        return _locked(req)
    finally:
        req.table.release_lock(req.lock_name, owner)


def run_promotion(req: Request) -> PromotionResult:
    """Promote (or refuse, or finish an earlier promotion of this episode) and record the outcome."""
    result = promote(req)
    inputs = {"approval": req.approval.model_dump() if req.approval else None, "mode": req.settings.promotion_mode}
    if result.verdict is not None:
        inputs |= verdict_inputs(result.verdict)
    req.table.record(outcome_record(result, req.now, inputs))
    return result
