"""Every check, in the order the scaling guide's troubleshooting table lists the issues."""

from __future__ import annotations

from collections.abc import Callable

from autopilot_cli.doctor import checks_config, checks_database, checks_scaling
from autopilot_cli.doctor.model import CheckResult, DoctorSnapshot, Policy

Check = Callable[[DoctorSnapshot, Policy], CheckResult]

CHECKS: list[Check] = [
    checks_scaling.scaling_suspended,
    checks_scaling.scaling_alarms,
    checks_scaling.not_scaled_activities,
    checks_scaling.scaling_role,
    checks_database.db_cpu,
    checks_database.db_connections,
    checks_database.replica_use,
    checks_scaling.flapping,
    checks_database.connection_budget,
    checks_scaling.at_max,
    checks_config.stickiness,
    checks_database.replica_parity,
    checks_scaling.forgotten_lease,
    checks_config.metric_resolution,
]


def run_checks(snap: DoctorSnapshot, policy: Policy | None = None) -> list[CheckResult]:
    chosen = policy or Policy()
    return [check(snap, chosen) for check in CHECKS]
