"""An operator's floor request ("force scale to N tasks"): the emergency path's guard rails, N given. Pure."""

from __future__ import annotations

from datetime import timedelta

from autopilot.logic.scaling import _guard, _none, new_lease
from autopilot.logic.task_price import tasks_cost_impact
from autopilot.models.policy import ScalingPolicy
from autopilot.models.scaling import ScaleOutInput, ScalingDecision


def _refusal(inp: ScaleOutInput, tasks: int, policy: ScalingPolicy) -> str | None:
    t = inp.target
    if tasks > t.max:
        return (
            f"{tasks} tasks is above MaxCapacity {t.max}; a floor cannot exceed the maximum. Ask for at most {t.max}, "
            f"or let the autopilot propose a higher maximum (up to the ceiling {policy.capacity_ceiling}, approved)"
        )
    largest = max(t.min, inp.service.running) + policy.max_step
    if tasks > largest:
        return (
            f"{tasks} tasks is more than the largest step allows ({policy.max_step} over the current "
            f"{max(t.min, inp.service.running)}): ask for at most {largest}"
        )
    return None


def decide_floor_request(inp: ScaleOutInput, tasks: int, minutes: int, policy: ScalingPolicy) -> ScalingDecision:
    """Lease a floor of ``tasks`` for ``minutes``, or say why not (never a bare desired count)."""
    blocked = _guard(inp, policy) or _refusal(inp, tasks, policy)
    if blocked is not None:
        return _none(inp, blocked)
    t = inp.target
    if tasks <= t.min:
        return _none(inp, f"the floor is already {t.min} ≥ the {tasks} tasks asked for")
    expires = inp.now + timedelta(minutes=minutes)
    if inp.lease is not None and inp.lease.expires_at > expires:
        expires = inp.lease.expires_at
    lease = new_lease(inp, tasks, expires)
    impact = tasks_cost_impact(tasks - max(inp.service.running, inp.service.desired, t.min), inp.task_hourly_usd)
    verb = "Would raise" if inp.dry_run else "Raised"
    return ScalingDecision(
        action="raise_floor",
        taken=not inp.dry_run,
        dry_run=inp.dry_run,
        reason=f"operator request: floor {tasks} until {expires.isoformat()}",
        summary=(
            f"{verb} the floor of {t.resource_id} from {t.min} to {tasks} until {expires.isoformat()} "
            f"({impact.summary}); it comes back to {lease.original_min} when the lease expires"
        ),
        from_min=t.min,
        to_min=tasks,
        from_max=t.max,
        to_max=t.max,
        cost_impact=impact,
        lease=lease,
    )
