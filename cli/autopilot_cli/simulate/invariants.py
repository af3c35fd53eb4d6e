"""What must hold on every run with the autopilot (checked on each simulated run and by the test suite).

1. A raised floor comes back to the original within the scale-in cooldown plus one sweep after the load falls
   (the alarm that raised it returns to OK and stays OK that long).
2. No floor and no maximum above the ceiling.
3. Every floor raise has a lease, and every floor change an audit record.
4. No action on a stale event: an action is taken only on an event whose state and timestamp are the alarm's
   current ones.
5. At most the flapping limit of actions per alarm per hour.
"""

from __future__ import annotations

from dataclasses import dataclass

from autopilot_cli.simulate.runner import RunRecord


@dataclass(frozen=True)
class Limits:
    baseline: int
    ceiling: int
    cooldown_s: int
    sweep_every_s: int
    max_actions_per_hour: int


def floors_come_back(run: RunRecord, limits: Limits) -> list[str]:
    out = []
    raises = [(s, low) for (s, low, _), (_, prev, _) in zip(run.bounds[1:], run.bounds, strict=False) if low > prev]
    for raised_at, level in raises:
        ok = next(
            (s for s, _name, state in run.alarm_changes if s >= raised_at and state == "OK" and "emergency" in _name),
            None,
        )
        if ok is None:
            continue
        deadline = ok + limits.cooldown_s + limits.sweep_every_s
        again = any(s > ok and s <= deadline and st == "ALARM" and "emergency" in n for s, n, st in run.alarm_changes)
        if again or deadline >= run.duration_s:
            continue
        floor_at_deadline = next((low for s, low, _ in reversed(run.bounds) if s <= deadline), limits.baseline)
        if floor_at_deadline > limits.baseline:
            out.append(
                f"floor raised to {level} at {raised_at} s is still {floor_at_deadline} at {deadline} s "
                f"(alarm OK since {ok} s + cooldown {limits.cooldown_s} s + one sweep {limits.sweep_every_s} s)"
            )
    return out


def within_ceiling(run: RunRecord, limits: Limits) -> list[str]:
    return [
        f"at {s} s min {low} / max {high} exceed the ceiling {limits.ceiling}"
        for s, low, high in run.bounds
        if low > limits.ceiling or high > limits.ceiling
    ]


def leased_and_audited(run: RunRecord) -> list[str]:
    out = [f"floor raise #{i + 1} had no lease right after it" for i, ok in enumerate(run.leases_at_raise) if not ok]
    changed = [
        r
        for r in run.audit
        if r.get("taken") and r.get("action") in ("raise_floor", "restore_floor") and r.get("changes")
    ]
    changes = sum(1 for (_, low, _), (_, prev, _) in zip(run.bounds[1:], run.bounds, strict=False) if low != prev)
    if len(changed) < changes:
        out.append(f"{changes} floor changes but only {len(changed)} audit records of a taken floor action")
    return out


def no_stale_action(run: RunRecord) -> list[str]:
    return [
        f"{a.function} took {a.action} at {a.second} s on a {a.trigger_state} event of {a.trigger_second} s while "
        f"the alarm was {a.alarm_state_then} since {a.alarm_since_then} s"
        for a in run.actions
        if a.taken
        and a.alarm is not None
        and (a.trigger_state != a.alarm_state_then or a.trigger_second != a.alarm_since_then)
    ]


def flapping_limit(run: RunRecord, limits: Limits) -> list[str]:
    out = []
    by_alarm: dict[str, list[int]] = {}
    for a in run.actions:
        if a.taken and a.function == "EmergencyScaleFunction" and a.alarm:
            by_alarm.setdefault(a.alarm, []).append(a.second)
    for alarm, seconds in by_alarm.items():
        for i, start in enumerate(seconds):
            within = [s for s in seconds[i:] if s < start + 3600]
            if len(within) > limits.max_actions_per_hour:
                out.append(f"{alarm}: {len(within)} actions within an hour from {start} s")
                break
    return out


def check(run: RunRecord, limits: Limits) -> dict[str, list[str]]:
    """Every invariant's violations (empty lists when it holds)."""
    return {
        "floor_comes_back": floors_come_back(run, limits),
        "within_ceiling": within_ceiling(run, limits),
        "leased_and_audited": leased_and_audited(run),
        "no_stale_action": no_stale_action(run),
        "flapping_limit": flapping_limit(run, limits),
    }
