"""Tasks not scaling up, scaling too aggressively, at max but still slow, a forgotten floor. Pure functions."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from autopilot_cli.doctor.model import Activity, CheckResult, DoctorSnapshot, Policy

NOT_SCALING = "Tasks not scaling up"
SLR = "AWSServiceRoleForApplicationAutoScaling_ECSService"


def scaling_suspended(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    suspended = sorted(name for name, on in snap.suspended.items() if on)
    if "DynamicScalingOutSuspended" in suspended:
        status, evidence = "FAIL", f"{snap.target.resource_id}: {', '.join(suspended)}: alarms cannot add tasks"
    elif suspended:
        status, evidence = "WARN", f"{snap.target.resource_id}: {', '.join(suspended)}"
    else:
        return CheckResult(
            check="scaling-suspended", issue=NOT_SCALING, status="OK", evidence="no scaling is suspended"
        )
    fix = (
        f"aws application-autoscaling register-scalable-target --service-namespace ecs --resource-id "
        f"{snap.target.resource_id} --scalable-dimension ecs:service:DesiredCount --suspended-state "
        "DynamicScalingInSuspended=false,DynamicScalingOutSuspended=false,ScheduledScalingSuspended=false"
    )
    return CheckResult(check="scaling-suspended", issue=NOT_SCALING, status=status, evidence=evidence, fix=fix)


def scaling_alarms(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    muted = [a.name for a in snap.alarms if not a.actions_enabled]
    no_data = [a.name for a in snap.alarms if a.state == "INSUFFICIENT_DATA"]
    firing = [a.name for a in snap.alarms if a.state == "ALARM"]
    counts = f"{len(snap.alarms)} alarms, {len(firing)} in ALARM" + (f" ({', '.join(firing)})" if firing else "")
    if not snap.alarms:
        return CheckResult(
            check="scaling-alarms",
            issue=NOT_SCALING,
            status="FAIL",
            evidence="none of the stack's alarms exists",
            fix="deploy the stack again (sam deploy): the alarms are in template.yaml",
        )
    if muted:
        return CheckResult(
            check="scaling-alarms",
            issue=NOT_SCALING,
            status="FAIL",
            evidence=f"{counts}; actions disabled on {', '.join(muted)}: they change state but trigger nothing",
            fix=f"aws cloudwatch enable-alarm-actions --alarm-names {' '.join(muted)}",
        )
    if no_data:
        return CheckResult(
            check="scaling-alarms",
            issue=NOT_SCALING,
            status="WARN",
            evidence=f"{counts}; no data for {', '.join(no_data)}",
            fix="check that the metric is published (dimension names, service running); INSUFFICIENT_DATA never scales",
        )
    return CheckResult(check="scaling-alarms", issue=NOT_SCALING, status="OK", evidence=counts)


def _recent(snap: DoctorSnapshot, minutes: int) -> list[Activity]:
    since = snap.now - timedelta(minutes=minutes)
    return [a for a in snap.activities or [] if since <= a.start <= snap.now]


def not_scaled_activities(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    check = "scaling-activities"
    if snap.activities is None:
        return CheckResult(
            check=check,
            issue=NOT_SCALING,
            status="WARN",
            evidence=f"cannot read the scaling activity history: {snap.activities_error}",
            fix="allow application-autoscaling:DescribeScalingActivities to whoever runs the doctor",
        )
    recent = _recent(snap, policy.flapping_window_minutes)
    failed = [a for a in recent if a.status == "Failed"]
    refused = [a for a in recent if a.not_scaled]
    if failed:
        causes = "; ".join(f"{a.start:%H:%M} {a.description}: {a.cause}" for a in failed[:3])
        return CheckResult(
            check=check,
            issue=NOT_SCALING,
            status="FAIL",
            evidence=f"{len(failed)} failed activities: {causes}",
            fix="read the cause: a permissions error names the missing action (the service-linked role needs "
            "ecs:DescribeServices and ecs:UpdateService); a capacity error names the limit",
        )
    if refused:
        reasons = sorted({r for a in refused for r in a.not_scaled})
        return CheckResult(
            check=check,
            issue=NOT_SCALING,
            status="WARN",
            evidence=f"{len(refused)} activities not scaled in the last hour: {', '.join(reasons)}",
            fix="AlreadyAtMaxCapacity: see at-max; AlreadyAtMinCapacity: the floor holds (a lease?)",
        )
    return CheckResult(
        check=check,
        issue=NOT_SCALING,
        status="OK",
        evidence=f"{len(recent)} activities in the last hour, none failed or refused",
    )


def scaling_role(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    role = snap.scaling_role
    if role is None or role.endswith(SLR):
        shown = role or "not reported; the default is the service-linked role"
        return CheckResult(check="scaling-role", issue=NOT_SCALING, status="OK", evidence=f"scaling role: {shown}")
    return CheckResult(
        check="scaling-role",
        issue=NOT_SCALING,
        status="WARN",
        evidence=f"a custom scaling role {role}: it must allow ecs:DescribeServices, ecs:UpdateService and the "
        "CloudWatch alarm actions",
        fix=f"register the target without --role-arn so it uses {SLR}",
    )


def _reversals(activities: list[Activity]) -> int:
    counts = [a.to_count for a in sorted(activities, key=lambda a: a.start) if a.to_count is not None]
    steps = [b - a for a, b in pairwise(counts) if b != a]
    return sum(1 for x, y in pairwise(steps) if (x > 0) != (y > 0))


def flapping(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    issue = "Tasks scaling too aggressively"
    recent = [a for a in _recent(snap, policy.flapping_window_minutes) if a.status == "Successful"]
    reversals = _reversals(recent)
    evidence = f"{len(recent)} scaling activities and {reversals} out/in reversals in the last hour"
    if reversals >= policy.flapping_reversals:
        target = f"{snap.target_cpu:.0f} %" if snap.target_cpu is not None else "the CPU target"
        return CheckResult(
            check="flapping",
            issue=issue,
            status="WARN",
            evidence=evidence,
            fix=f"raise the CPU target from {target} to 70 % (TargetCpuPercent) or lengthen the scale-in cooldown "
            "(ScaleInCooldownSeconds)",
        )
    return CheckResult(check="flapping", issue=issue, status="OK", evidence=evidence)


def at_max(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    issue, t = "Tasks at max but still slow", snap.target
    lease = f"; floor leased to {snap.lease.leased_min} until {snap.lease.expires_at:%H:%M}" if snap.lease else ""
    evidence = f"desired {snap.service.desired}, running {snap.service.running}, min {t.min}, max {t.max}, " + (
        f"ceiling {snap.capacity_ceiling}{lease}"
    )
    if snap.service.desired < t.max:
        return CheckResult(check="at-max", issue=issue, status="OK", evidence=f"{evidence}: room to scale")
    if t.max >= snap.capacity_ceiling:
        return CheckResult(
            check="at-max",
            issue=issue,
            status="FAIL",
            evidence=f"{evidence}: at the hard ceiling",
            fix="more tasks will not come: look at the database (see the latency checks) and the code; raise "
            "CapacityCeiling only with a connection budget that fits",
        )
    return CheckResult(
        check="at-max",
        issue=issue,
        status="WARN",
        evidence=f"{evidence}: at MaxCapacity",
        fix="the autopilot proposes a higher maximum when the CPU alarm persists: autopilot approvals, then "
        "autopilot approve ID (never past the ceiling)",
    )


def forgotten_lease(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    issue, t, lease = "Configuration: a forgotten floor", snap.target, snap.lease
    if lease is not None and lease.expired(snap.now) and t.min == lease.leased_min > lease.original_min:
        return CheckResult(
            check="floor-lease",
            issue=issue,
            status="FAIL",
            evidence=f"the lease on {t.resource_id} expired at {lease.expires_at:%Y-%m-%d %H:%M} but MinCapacity "
            f"is still {t.min} (was {lease.original_min})",
            fix="the sweeper restores expired floors every 5 minutes: check SweeperFunction's errors; "
            "autopilot invoke SweeperFunction -e events/schedule-sweeper.json restores it now",
        )
    if lease is None and t.min > snap.baseline_min:
        return CheckResult(
            check="floor-lease",
            issue=issue,
            status="WARN",
            evidence=f"MinCapacity {t.min} is above the baseline {snap.baseline_min} with no lease: raised by hand, "
            "nothing will bring it down",
            fix=f"lower it (MinCapacity {snap.baseline_min}) or hold it with an expiry: autopilot scale {t.min} "
            "--for 1h --reason ...",
        )
    held = f"leased to {lease.leased_min} until {lease.expires_at:%H:%M}" if lease else "no lease"
    return CheckResult(check="floor-lease", issue=issue, status="OK", evidence=f"MinCapacity {t.min}, {held}")
