"""The promotion, end to end: re-check, promote the read replica, point the service at it, record each step.

Only in PROMOTION_MODE approve (with an approval in the task input) or auto. It re-runs the checks first
and refuses if they no longer recommend promotion; it holds the promotion lock while it acts. The audit trail
makes it idempotent per episode: a second call does not promote twice, it finishes what is left (the steps
are in :mod:`autopilot.operations.promotion_steps`).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from autopilot.logic.replica_audit import outcome_record, verdict_inputs
from autopilot.logic.replica_promotion import STEP_FENCE, mode_refusal, remaining_steps
from autopilot.logic.replica_rules import lock_held
from autopilot.models.replica import PromotionResult
from autopilot.operations.promotion_steps import AwsErrors, Request, act, with_instructions
from autopilot.operations.replica_check import load_prior, run_check

__all__ = ["Request", "promote", "run_promotion"]


def _refused(req: Request, reasons: list[str], **fields: Any) -> PromotionResult:
    summary = f"Did not promote {req.settings.replica_db_instance_id}: {reasons[0]}."
    return req.result(outcome="refused", reasons=reasons, summary=summary, **fields)


def _promote_fresh(req: Request) -> PromotionResult:
    obs, verdict = run_check(req.clients, req.trigger, req.settings, req.now, req.table)
    if verdict.verdict != "promotion_recommended" or not verdict.promotable:
        why = verdict.reasons or [verdict.summary]
        return _refused(req, [f"the checks, re-run now, say {verdict.verdict}", *why], verdict=verdict)
    host = obs.replica.endpoint_address if obs.replica else None
    if not host:
        return _refused(req, ["the replica has no endpoint address yet"], verdict=verdict)
    result = req.result(outcome="promoted", new_writer_host=host, verdict=verdict, summary="", reasons=[])
    if req.dry_run:
        fence = f", stop the old primary {result.primary_id}" if req.fences else ""
        result.outcome = "dry_run"
        result.summary = (
            f"Dry run: would promote {result.replica_id}, set {req.settings.writer_host_parameter} to {host} and "
            f"force a new deployment{fence}. Nothing was changed."
        )
        return result
    return act(req, remaining_steps(None, fence=req.fences), result, obs)


def _locked(req: Request) -> PromotionResult:
    """Under the lock: an episode already promoted is finished (never promoted twice), else a fresh promotion."""
    try:
        prior = load_prior(req.table, req.settings.replica_db_instance_id, req.now)
    except AwsErrors as exc:
        why = f"cannot read the audit trail ({exc}); nothing was changed"
        return req.result(outcome="failed", reasons=[why], summary=f"Did not promote: {why}.")
    if prior is None or prior.episode != req.episode:
        return _promote_fresh(req)
    steps = remaining_steps(prior, fence=req.fences)
    result = req.result(
        outcome="resumed", new_writer_host=prior.new_writer_host, earlier_steps=prior.steps_done, summary=""
    )
    if STEP_FENCE in prior.steps_done:
        result.fenced = True
    if not steps:
        result.outcome = "already_promoted"
        result.summary = f"{result.replica_id} was already promoted for this episode at {prior.at.isoformat()}."
        return with_instructions(req, result)
    return act(req, steps, result, None)


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
