"""Configuration lint: stickiness on an autoscaled stateless API, how fast scaling metrics react. Pure."""

from __future__ import annotations

from autopilot_cli.doctor.model import CheckResult, DoctorSnapshot, Policy

SCALING_ALARMS = ("cpu-emergency",)


def stickiness(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    issue = "Configuration: sticky sessions"
    if not snap.stickiness:
        return CheckResult(check="stickiness", issue=issue, status="OK", evidence="stickiness off: new tasks get load")
    scaled_out = snap.service.desired > snap.baseline_min or snap.lease is not None
    if scaled_out:
        return CheckResult(
            check="stickiness",
            issue=issue,
            status="WARN",
            evidence=f"sticky sessions on while scaled out ({snap.service.desired} tasks, baseline "
            f"{snap.baseline_min}): clients stay on the old tasks and the new ones idle",
            fix="the API keeps no session state: StickySessions=false (sam deploy --parameter-overrides)",
        )
    return CheckResult(
        check="stickiness",
        issue=issue,
        status="OK",
        evidence="sticky sessions on (the scaling guide's setting); harmless at the baseline, it holds clients on "
        "old tasks after a scale-out (this check warns then)",
    )


def metric_resolution(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    issue = "Configuration: 1-minute vs 20-second scaling metrics"
    scaling = [a for a in snap.alarms if any(a.name.endswith(s) for s in SCALING_ALARMS) and a.period]
    if not scaling:
        return CheckResult(
            check="metric-resolution", issue=issue, status="WARN", evidence="no scaling alarm found to judge"
        )
    windows = {a.name: (a.period or 60) * (a.datapoints_to_alarm or 1) for a in scaling}
    described = ", ".join(
        f"{name}: {a.period} s period x {a.datapoints_to_alarm or 1} = {windows[name]} s"
        for name, a in ((a.name, a) for a in scaling)
    )
    slow = [name for name, seconds in windows.items() if seconds > policy.slow_detection_seconds]
    if slow:
        return CheckResult(
            check="metric-resolution",
            issue=issue,
            status="WARN",
            evidence=f"{described}: a burst goes unseen for more than {policy.slow_detection_seconds} s",
            fix="fewer datapoints to alarm, or 20-second (high-resolution) metrics published by the service",
        )
    resolution = "20-second" if all((a.period or 60) < 60 for a in scaling) else "1-minute"
    return CheckResult(
        check="metric-resolution",
        issue=issue,
        status="OK",
        evidence=f"{resolution} metrics ({described}); target tracking needs 3 one-minute datapoints",
    )
