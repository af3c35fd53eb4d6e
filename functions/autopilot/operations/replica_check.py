"""The promotion checklist over the primary/replica pair, end to end: observe, judge (pure), record.

It changes nothing in AWS; it writes one audit record. The promotion operation re-runs the same check before it
promotes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from autopilot.adapters.clients import AwsClients
from autopilot.adapters.rds import observe_pair
from autopilot.adapters.state_table import AUDIT_RETENTION, StateTable
from autopilot.logic.replica_audit import check_record
from autopilot.logic.replica_promotion import episode_of, prior_promotion, trigger_event
from autopilot.logic.replica_verdict import assess
from autopilot.models.replica import PriorPromotion, ReplicaObservation, ReplicaPolicy, ReplicaVerdict
from autopilot.models.triggers import Trigger
from autopilot.settings.replica import ReplicaSettings

FUNCTION = "ReplicaCheckFunction"


def load_prior(table: StateTable, replica_id: str, now: datetime) -> PriorPromotion | None:
    """The promotion of this replica already on record (the audit trail keeps 90 days)."""
    return prior_promotion(table.recent_records(replica_id, now - AUDIT_RETENTION))


def run_check(
    clients: AwsClients, trigger: Trigger, settings: ReplicaSettings, now: datetime, table: StateTable
) -> tuple[ReplicaObservation, ReplicaVerdict]:
    """Observe the pair once and judge it (the promotion re-runs it before it promotes)."""
    obs = observe_pair(
        clients.rds,
        clients.cloudwatch,
        settings.primary_db_instance_id,
        settings.replica_db_instance_id,
        now,
        timedelta(minutes=settings.unavailable_window_minutes),
        trigger_event(trigger),
    )
    prior = None
    try:
        prior = load_prior(table, settings.replica_db_instance_id, now)
    except (ClientError, BotoCoreError) as exc:
        obs.errors.append(f"cannot read the audit trail: {exc}")
    return obs, assess(obs, ReplicaPolicy.from_settings(settings), prior, episode_of(trigger))


def with_dry_run(verdict: ReplicaVerdict, dry_run: bool) -> ReplicaVerdict:
    """In a dry run nothing is promoted, so nothing is asked either: the next step is a recommendation."""
    if not dry_run:
        return verdict
    if verdict.next_step not in ("promote", "request_approval"):
        return verdict.model_copy(update={"dry_run": True})
    why = "dry run: nothing is promoted, so no approval is requested; this is a recommendation"
    return verdict.model_copy(update={"dry_run": True, "next_step": "recommend", "reasons": [*verdict.reasons, why]})


def check_replica(
    clients: AwsClients, trigger: Trigger, settings: ReplicaSettings, now: datetime, dry_run: bool, table: StateTable
) -> ReplicaVerdict:
    """The verdict for this trigger, with the effective dry-run flag, recorded in the audit trail."""
    _obs, checked = run_check(clients, trigger, settings, now, table)
    verdict = with_dry_run(checked, dry_run)
    table.record(check_record(verdict, now, FUNCTION))
    return verdict
