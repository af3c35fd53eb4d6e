"""Combine the checklist's rules into one verdict and the workflow's next step.

healthy                nothing to do
lagging                the primary is up but the replica is not fit for reads (the service reads from the primary)
promotion_recommended  the primary is down and every rule holds (or is unknown: then a human decides)
promotion_unsafe       the primary is down but a rule fails, or the pair cannot be observed
"""

from __future__ import annotations

from autopilot.logic.replica_maintenance import no_pending_maintenance
from autopilot.logic.replica_parity import config_parity
from autopilot.logic.replica_rules import (
    lag_within_bound,
    latest_lag,
    not_already_promoted,
    not_multi_az,
    primary_not_in_planned_state,
    primary_not_reporting_available,
    primary_signals,
    primary_unavailable,
    replica_healthy,
)
from autopilot.models.replica import (
    InstanceSnapshot,
    NextStep,
    PriorPromotion,
    ReplicaObservation,
    ReplicaPolicy,
    ReplicaVerdict,
    RuleResult,
)

SERVICE_READ_NOTE = (
    "the sensor API measures the lag itself and sends reads to the primary while the replica lags more than "
    "its READ_MAX_LAG_SECONDS (or is down); clients can ask for consistency=strong"
)


def _next_step_for_recommendation(policy: ReplicaPolicy, promotable: bool) -> tuple[NextStep, str]:
    if policy.mode == "off":
        return "notify", "PROMOTION_MODE is off: the control plane only reports"
    if policy.mode == "recommend" or not promotable:
        why = "PROMOTION_MODE is recommend" if policy.mode == "recommend" else "a rule is unknown: recommend only"
        return "recommend", f"{why}; an operator promotes by hand after checking the reasons"
    if policy.mode == "approve":
        return "request_approval", "PROMOTION_MODE is approve: waiting for an operator's approval"
    return "promote", "PROMOTION_MODE is auto and every rule passes: promoting"


def _cannot_observe(obs: ReplicaObservation, policy: ReplicaPolicy, episode: str) -> ReplicaVerdict:
    detail = "; ".join(obs.errors) or "the primary or the replica was not described"
    return ReplicaVerdict(
        verdict="promotion_unsafe",
        mode=policy.mode,
        next_step="notify",
        observable=False,
        primary_unavailable=False,
        promotable=False,
        primary_id=obs.primary_id,
        replica_id=obs.replica_id,
        rules=[RuleResult(rule="primary.unavailable", outcome="unknown", reason=f"cannot observe: {detail}")],
        reasons=[
            f"cannot observe the database pair: {detail}",
            "nothing was done; the check runs again on the next event, or run it by hand once the API answers",
        ],
        summary=f"Cannot observe {obs.primary_id} / {obs.replica_id}: nothing done.",
        episode=episode,
    )


def promotion_rules(
    primary: InstanceSnapshot,
    replica: InstanceSnapshot,
    lag: float | None,
    policy: ReplicaPolicy,
    prior: PriorPromotion | None,
    obs: ReplicaObservation,
) -> list[RuleResult]:
    """Rules 3-7 and the audit trail's "not promoted yet", in checklist order."""
    return [
        primary_not_in_planned_state(obs, primary),
        no_pending_maintenance(obs, primary),
        primary_not_reporting_available(primary),
        not_multi_az(primary),
        replica_healthy(replica, primary.instance_id, lag),
        lag_within_bound(lag, policy),
        *config_parity(primary, replica),
        not_already_promoted(prior, replica),
    ]


def _replica_fit_for_reads(
    replica: InstanceSnapshot, primary_id: str, lag: float | None, policy: ReplicaPolicy
) -> list[str]:
    health = replica_healthy(replica, primary_id, lag)
    problems = [health.reason] if health.outcome == "fail" else []
    if lag is not None and lag >= policy.replica_lag_warning_seconds:
        problems.append(f"replica lag {lag:g} s >= REPLICA_LAG_WARNING_SECONDS={policy.replica_lag_warning_seconds:g}")
    return problems


def _primary_up(
    obs: ReplicaObservation, replica: InstanceSnapshot, policy: ReplicaPolicy, base: dict[str, object]
) -> ReplicaVerdict:
    lag = latest_lag(obs)
    problems = _replica_fit_for_reads(replica, obs.primary_id, lag, policy)
    lag_note = f"replica lag {lag:g} s" if lag is not None else "replica lag unknown (no datapoints in the window)"
    if problems:
        return ReplicaVerdict.model_validate(
            base
            | {
                "verdict": "lagging",
                "next_step": "notify",
                "reasons": [*problems, SERVICE_READ_NOTE, "no promotion: the primary is up"],
                "summary": f"Replica {obs.replica_id} is not fit for reads ({problems[0]}); the primary is up.",
            }
        )
    return ReplicaVerdict.model_validate(
        base
        | {
            "verdict": "healthy",
            "next_step": "none",
            "reasons": ["the primary is up", lag_note],
            "summary": f"Primary {obs.primary_id} is up; {lag_note}.",
        }
    )


def _primary_down(
    obs: ReplicaObservation, policy: ReplicaPolicy, base: dict[str, object], rules: list[RuleResult]
) -> ReplicaVerdict:
    failed = [r for r in rules if r.outcome == "fail"]
    if failed:
        return ReplicaVerdict.model_validate(
            base
            | {
                "verdict": "promotion_unsafe",
                "next_step": "notify",
                "reasons": [r.reason for r in failed] + ["do not promote: restore the primary or fix the above first"],
                "summary": f"Primary {obs.primary_id} is down but promoting {obs.replica_id} is unsafe: "
                f"{failed[0].reason}.",
            }
        )
    unknown = [r for r in rules if r.outcome == "unknown"]
    promotable = not unknown
    step, why = _next_step_for_recommendation(policy, promotable)
    return ReplicaVerdict.model_validate(
        base
        | {
            "verdict": "promotion_recommended",
            "next_step": step,
            "promotable": promotable,
            "reasons": [r.reason for r in unknown] + [why],
            "summary": f"Primary {obs.primary_id} is down; promoting replica {obs.replica_id} is recommended. {why}.",
        }
    )


def assess(
    obs: ReplicaObservation, policy: ReplicaPolicy, prior: PriorPromotion | None = None, episode: str = ""
) -> ReplicaVerdict:
    """The verdict over one observation of the pair. Pure: same observation, same verdict."""
    if obs.errors or obs.primary is None or obs.replica is None:
        return _cannot_observe(obs, policy, episode)
    down = primary_unavailable(obs, policy)
    lag = latest_lag(obs)
    rules = promotion_rules(obs.primary, obs.replica, lag, policy, prior, obs)
    base: dict[str, object] = {
        "mode": policy.mode,
        "observable": True,
        "primary_unavailable": down.outcome == "pass",
        "promotable": False,
        "primary_id": obs.primary_id,
        "replica_id": obs.replica_id,
        "lag_seconds": lag,
        "signals": primary_signals(obs),
        "rules": [down, *rules],
        "episode": episode,
    }
    if down.outcome != "pass":
        return _primary_up(obs, obs.replica, policy, base)
    return _primary_down(obs, policy, base, rules)
