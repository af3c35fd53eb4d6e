"""A new instance class for the primary on the seed's stack in moto: proposed behind an approval (with what it
costs and restarts, recorded against the primary), refused with the reason, applied only from the class it was
proposed from."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from autopilot.adapters.approvals import ApprovalStore
from autopilot.models.ops import Caller, InstanceClassRequest
from autopilot.models.records import AuditRecord
from autopilot.operations.ops_database import apply_class_change, propose_class_change
from autopilot.operations.ops_errors import OpsConflictError, OpsRefusedError
from autopilot.settings.ops import OpsSettings, get_ops_settings
from autopilot_cli.embedded.seed_stack import EmbeddedStack

from tests.functional.test_replica_check import set_instance
from tests.helpers.clients import clients, private_clients, state_table

AT = datetime.fromisoformat("2026-11-27T14:00:10+00:00")
DBA = Caller(arn="arn:aws:iam::123456789012:user/dba")


@pytest.fixture
def settings(stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]]) -> OpsSettings:
    function_env("OpsApiFunction")
    return get_ops_settings()


def request(instance_class: str, reason: str = "CPU at 90 % all week") -> InstanceClassRequest:
    return InstanceClassRequest.model_validate({"class": instance_class, "reason": reason})


def records(settings: OpsSettings) -> list[AuditRecord]:
    return state_table(settings.state_table_name).recent_records(settings.primary_db_instance_id, AT)


def db_class(settings: OpsSettings, instance_id: str) -> str:
    rds = boto3.client("rds", region_name=settings.aws_region)
    return str(rds.describe_db_instances(DBInstanceIdentifier=instance_id)["DBInstances"][0]["DBInstanceClass"])


def test_a_proposal_is_stored_for_approval_and_recorded_against_the_primary(settings: OpsSettings) -> None:
    primary = settings.primary_db_instance_id

    proposal = propose_class_change(clients(), request("db.t3.large"), DBA, AT, settings)

    assert re.fullmatch(r"[0-9a-f]{12}", proposal.approval_id)
    assert (proposal.kind, proposal.status, proposal.requested_by) == ("db_instance_class", "pending", DBA.arn)
    assert proposal.what == f"change the database instance class of {primary}"
    assert (proposal.created_at, proposal.expires_at) == (AT, AT + timedelta(seconds=settings.approval_timeout_seconds))
    assert proposal.summary.startswith(f"Change {primary} from db.t3.medium to db.t3.large (")
    assert proposal.restart.startswith(f"ModifyDBInstance with ApplyImmediately restarts {primary}")
    assert f"the read replica {settings.replica_db_instance_id} keeps its class" in proposal.restart
    assert "(several minutes, single-AZ)" in proposal.restart
    assert proposal.proposal["instance_id"] == primary
    assert (proposal.proposal["from_class"], proposal.proposal["to_class"]) == ("db.t3.medium", "db.t3.large")
    assert proposal.proposal["reason"] == "CPU at 90 % all week" and "cost_impact" not in proposal.proposal
    assert proposal.cost_impact.hourly_usd == pytest.approx(0.145 - 0.072)
    assert ApprovalStore(clients().table(settings.state_table_name)).get(proposal.approval_id) == proposal
    [record] = records(settings)
    assert (record.function, record.action, record.taken, record.at) == ("ops-database", "propose_db_class", False, AT)
    assert record.reason == f"approval {proposal.approval_id} requested by {DBA.arn}: CPU at 90 % all week"
    assert record.inputs == {"request": {"class": "db.t3.large", "reason": "CPU at 90 % all week"}}
    assert db_class(settings, primary) == "db.t3.medium"


def test_a_refused_proposal_says_why_is_recorded_and_stores_nothing(settings: OpsSettings) -> None:
    with pytest.raises(OpsRefusedError) as caught:
        propose_class_change(clients(), request("db.t3.medium", reason="same again"), DBA, AT, settings)

    why = f"{settings.primary_db_instance_id} is already db.t3.medium; nothing to change"
    assert str(caught.value) == f"{why}. Nothing was changed."
    assert ApprovalStore(clients().table(settings.state_table_name)).list(None) == []
    [record] = records(settings)
    assert (record.function, record.action, record.taken) == ("ops-database", "propose_db_class", False)
    assert record.reason == f"refused: {why}; asked by {DBA.arn}"
    assert record.inputs == {"request": {"class": "db.t3.medium", "reason": "same again"}}


def test_applying_changes_exactly_the_approved_class(settings: OpsSettings) -> None:
    proposal = propose_class_change(clients(), request("db.t3.large"), DBA, AT, settings)
    found = private_clients()
    sent: list[dict[str, Any]] = []
    found.rds.meta.events.register(
        "provide-client-params.rds.ModifyDBInstance", lambda params, **_: sent.append(params)
    )

    applied = apply_class_change(found, proposal, settings)

    primary = settings.primary_db_instance_id
    assert applied == {"instance_id": primary, "from_class": "db.t3.medium", "to_class": "db.t3.large"}
    assert sent == [{"DBInstanceIdentifier": primary, "DBInstanceClass": "db.t3.large", "ApplyImmediately": True}]
    assert db_class(settings, primary) == "db.t3.large"
    assert db_class(settings, settings.replica_db_instance_id) == "db.t3.medium"


def test_a_primary_no_longer_in_the_proposed_class_is_not_changed(settings: OpsSettings) -> None:
    primary = settings.primary_db_instance_id
    proposal = propose_class_change(clients(), request("db.t3.large"), DBA, AT, settings)
    boto3.client("rds", region_name=settings.aws_region).modify_db_instance(
        DBInstanceIdentifier=primary, DBInstanceClass="db.t3.xlarge", ApplyImmediately=True
    )

    with pytest.raises(OpsConflictError) as caught:
        apply_class_change(clients(), proposal, settings)

    assert str(caught.value) == (
        f"{primary} is now db.t3.xlarge, not db.t3.medium as when this was proposed; nothing was changed. "
        "Propose the change again."
    )
    assert db_class(settings, primary) == "db.t3.xlarge"


def test_a_multi_az_primary_is_proposed_with_a_failover_and_twice_the_cost(
    settings: OpsSettings, stack: EmbeddedStack
) -> None:
    set_instance(stack, stack.primary_id, multi_az=True)

    proposal = propose_class_change(clients(), request("db.t3.large"), DBA, AT, settings)

    assert "(a Multi-AZ failover, usually under two minutes)" in proposal.restart
    assert proposal.cost_impact.hourly_usd == pytest.approx(2 * (0.145 - 0.072))
