"""Emergency step scaling: how big a floor to lease, and the guard rails that say no. Pure functions."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from autopilot.logic.task_price import tasks_cost_impact
from autopilot.models.approval import Approval
from autopilot.models.policy import ScalingPolicy
from autopilot.models.records import Lease
from autopilot.models.scaling import ScaleOutInput, ScalingDecision


def proportional_floor(running: int, cpu: float, policy: ScalingPolicy) -> int:
    """``ceil(running x cpu / target x headroom)``, at least ``running + min_step`` (before any clamp)."""
    base = max(running, 1)
    needed = math.ceil(round(base * cpu / policy.target_cpu_percent * policy.headroom, 6))
    return max(needed, base + policy.min_step)


def _none(inp: ScaleOutInput, reason: str, cpu: float | None = None) -> ScalingDecision:
    t = inp.target
    return ScalingDecision(
        action="none",
        reason=reason,
        summary=f"No change: {reason}",
        from_min=t.min,
        to_min=t.min,
        from_max=t.max,
        to_max=t.max,
        cpu_used=cpu,
        dry_run=inp.dry_run,
    )


def _guard(inp: ScaleOutInput, policy: ScalingPolicy) -> str | None:
    """The first guard rail that forbids any action, or None."""
    if inp.service.rolling_back:
        return (
            "the ECS deployment is rolling back (circuit breaker); a bad deploy is not fixed by more tasks — "
            "look at the deployment instead"
        )
    if inp.actions_last_hour >= policy.max_actions_per_alarm_per_hour:
        return (
            f"alarm {inp.alarm_name} already caused {inp.actions_last_hour} actions in the last hour "
            f"(limit {policy.max_actions_per_alarm_per_hour}, flapping guard)"
        )
    return None


def _observed_cpu(inp: ScaleOutInput, policy: ScalingPolicy) -> tuple[float, str]:
    if inp.observed_cpu is not None:
        return inp.observed_cpu, f"{inp.cpu_source} {inp.observed_cpu:.1f} %"
    return policy.emergency_cpu_percent, (
        f"CPU not reported; assumed the alarm level {policy.emergency_cpu_percent:.0f} %"
    )


def original_floor(inp: ScaleOutInput) -> int:
    """The floor a new lease restores to: the active lease's original while the floor is still the one it raised;
    otherwise (no lease, or someone changed the floor since) the floor as it is now."""
    lease = inp.lease
    return lease.original_min if lease is not None and lease.leased_min == inp.target.min else inp.target.min


def new_lease(inp: ScaleOutInput, to_min: int, expires_at: datetime) -> Lease:
    """The lease of a floor raised to ``to_min`` now, restoring to :func:`original_floor` when it expires."""
    return Lease(
        resource_id=inp.target.resource_id,
        original_min=original_floor(inp),
        leased_min=to_min,
        raised_at=inp.now,
        expires_at=expires_at,
        alarm_name=inp.alarm_name,
        episode=inp.episode,
    )


def _lease(inp: ScaleOutInput, to_min: int, policy: ScalingPolicy) -> Lease:
    return new_lease(inp, to_min, inp.now + timedelta(minutes=policy.lease_minutes))


def _raise_floor(inp: ScaleOutInput, policy: ScalingPolicy, cpu: float, why_cpu: str) -> ScalingDecision:
    t, running = inp.target, inp.service.running
    wanted = proportional_floor(running, cpu, policy)
    step_cap = max(t.min, running) + policy.max_step
    to_min = min(wanted, step_cap, t.max)
    if to_min <= t.min:
        return _none(inp, f"the floor is already {t.min} ≥ the {to_min} tasks needed ({why_cpu})", cpu)
    clamps = []
    if wanted > step_cap:
        clamps.append(f"largest step {policy.max_step}")
    if wanted > t.max:
        clamps.append(f"MaxCapacity {t.max}")
    clamp_text = f", clamped by {' and '.join(clamps)}" if clamps else ""
    reason = (
        f"{why_cpu} on {running} running tasks vs target {policy.target_cpu_percent:.0f} % "
        f"(headroom x{policy.headroom}) needs {wanted} tasks{clamp_text}"
    )
    impact = tasks_cost_impact(to_min - max(running, inp.service.desired, t.min), inp.task_hourly_usd)
    verb = "Would raise" if inp.dry_run else "Raised"
    summary = (
        f"{verb} the floor of {t.resource_id} from {t.min} to {to_min} for {policy.lease_minutes} min "
        f"({impact.summary})"
    )
    return ScalingDecision(
        action="raise_floor",
        taken=not inp.dry_run,
        dry_run=inp.dry_run,
        reason=reason,
        summary=summary,
        from_min=t.min,
        to_min=to_min,
        from_max=t.max,
        to_max=t.max,
        cpu_used=cpu,
        cost_impact=impact,
        lease=_lease(inp, to_min, policy),
    )


def _raise_max(inp: ScaleOutInput, policy: ScalingPolicy, cpu: float, why_cpu: str) -> ScalingDecision:
    t = inp.target
    if t.max >= policy.capacity_ceiling:
        return _none(inp, f"at MaxCapacity {t.max}, which is the hard ceiling {policy.capacity_ceiling}", cpu)
    if inp.approval is False:
        return _none(inp, f"raising MaxCapacity above {t.max} was not approved", cpu)
    to_max = min(t.max + policy.max_raise_step, policy.capacity_ceiling)
    reason = f"{why_cpu} with the service at MaxCapacity {t.max} (desired {inp.service.desired})"
    impact = tasks_cost_impact(to_max - t.max, inp.task_hourly_usd)
    needs_approval = policy.max_raise_requires_approval and inp.approval is not True
    if needs_approval:
        summary = (
            f"Approval needed: raise MaxCapacity of {t.resource_id} from {t.max} to {to_max} (up to {impact.summary}); "
            f"measured: {why_cpu}"
        )
    else:
        verb = "Would raise" if inp.dry_run else "Raised"
        summary = f"{verb} MaxCapacity of {t.resource_id} from {t.max} to {to_max} (up to {impact.summary})"
    return ScalingDecision(
        action="raise_max",
        taken=not (needs_approval or inp.dry_run),
        needs_approval=needs_approval,
        dry_run=inp.dry_run,
        reason=reason,
        summary=summary,
        from_min=t.min,
        to_min=t.min,
        from_max=t.max,
        to_max=to_max,
        cpu_used=cpu,
        cost_impact=impact,
    )


def decide_scale_out(inp: ScaleOutInput, policy: ScalingPolicy) -> ScalingDecision:
    """Raise the floor proportionally, or at MaxCapacity propose a higher maximum (up to the ceiling)."""
    blocked = _guard(inp, policy)
    if blocked is not None:
        return _none(inp, blocked)
    cpu, why_cpu = _observed_cpu(inp, policy)
    if cpu <= policy.target_cpu_percent:
        return _none(
            inp,
            f"{why_cpu} is at or below the target {policy.target_cpu_percent:.0f} %: more tasks would not help",
            cpu,
        )
    at_max = inp.service.desired >= inp.target.max or inp.target.min >= inp.target.max
    if at_max:
        return _raise_max(inp, policy, cpu, why_cpu)
    return _raise_floor(inp, policy, cpu, why_cpu)


def stale_decision(inp: ScaleOutInput, reason: str) -> ScalingDecision:
    """A late or duplicate alarm event: nothing changes, and the decision says why."""
    return _none(inp, reason)


def _approved_problem(proposal: ScalingDecision, inp: ScaleOutInput, policy: ScalingPolicy) -> str | None:
    """Why the approved proposal no longer holds at the moment it would apply, or None."""
    t, desired = inp.target, inp.service.desired
    if proposal.action != "raise_max":
        return f"the approved proposal is {proposal.action!r}, not a raise of MaxCapacity"
    if t.max != proposal.from_max:
        return f"MaxCapacity is {t.max} now, not the {proposal.from_max} the approved proposal started from"
    if desired < t.max and t.min < t.max:
        return f"the service is no longer at MaxCapacity (desired {desired} of {t.max})"
    if proposal.to_max is None:
        return "the approved proposal names no MaxCapacity to raise to"
    if proposal.to_max > policy.capacity_ceiling:
        return f"the approved {proposal.to_max} is above the hard ceiling {policy.capacity_ceiling}"
    return _guard(inp, policy)


def apply_approved(
    proposal: ScalingDecision, inp: ScaleOutInput, policy: ScalingPolicy, approval: Approval
) -> ScalingDecision:
    """Exactly the proposal that was approved, re-validated now; never a fresh decision that does something else."""
    if not approval.approved:
        return _none(inp, f"raising MaxCapacity to {proposal.to_max} was not approved (answered by {approval.by})")
    problem = _approved_problem(proposal, inp, policy)
    if problem is not None or proposal.to_max is None:
        return _none(inp, f"the approved raise of MaxCapacity to {proposal.to_max} no longer holds: {problem}")
    t = inp.target
    impact = tasks_cost_impact(proposal.to_max - t.max, inp.task_hourly_usd)
    verb = "Would raise" if inp.dry_run else "Raised"
    return ScalingDecision(
        action="raise_max",
        taken=not inp.dry_run,
        dry_run=inp.dry_run,
        reason=f"approved by {approval.by}: {proposal.reason}; re-checked at {inp.now.isoformat()}",
        summary=f"{verb} MaxCapacity of {t.resource_id} from {t.max} to {proposal.to_max} as approved "
        f"(up to {impact.summary})",
        from_min=t.min,
        to_min=t.min,
        from_max=t.max,
        to_max=proposal.to_max,
        cpu_used=proposal.cpu_used,
        cost_impact=impact,
    )
