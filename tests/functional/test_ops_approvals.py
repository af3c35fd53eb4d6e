"""Approvals by id on the seed's stack in moto: the workflow's requests (stored with their task token, announced
without it), the answers to them and to the ops API's own proposals, and what each answer records.

moto's SendTaskSuccess accepts any token and keeps nothing, so the tests that look at what the workflow is sent
(or make the workflow be gone) put a recording Step Functions client in the client factory instead.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

import pytest
from autopilot.adapters.approvals import ApprovalStore
from autopilot.adapters.clients import AwsClients
from autopilot.errors import InvalidEventError
from autopilot.models.ops import ApprovalAnswer, Caller, InstanceClassRequest
from autopilot.models.records import AuditRecord
from autopilot.operations.ops_approvals import answer, list_approvals, record_workflow_request
from autopilot.operations.ops_database import propose_class_change
from autopilot.operations.ops_errors import OpsConflictError, OpsNotFoundError
from autopilot.settings.ops import OpsSettings, get_ops_settings
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from botocore.exceptions import ClientError

from tests.helpers.clients import clients, private_clients, state_table
from tests.helpers.sns import published

AT = datetime.fromisoformat("2026-11-27T14:00:10+00:00")
SRE = Caller(arn="arn:aws:iam::123456789012:user/sre-on-call")
EXECUTION = "arn:aws:states:us-east-2:123456789012:execution:remediation:cpu-1"
COST = {"tasks_delta": 5, "hourly_usd": 0.25, "monthly_usd": 180.0, "summary": "+5 tasks = +$0.25/h"}


class RecordingStepFunctions:
    """SendTaskSuccess that keeps what it was sent, or fails with ``error`` (a Step Functions error code)."""

    def __init__(self, error: str | None = None) -> None:
        self.error = error
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def send_task_success(self, taskToken: str, output: str) -> None:  # noqa: N803  (boto3's parameter names)
        if self.error is not None:
            raise ClientError({"Error": {"Code": self.error, "Message": "injected"}}, "SendTaskSuccess")
        self.sent.append((taskToken, json.loads(output)))


@pytest.fixture
def settings(stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]]) -> OpsSettings:
    function_env("OpsApiFunction")
    return get_ops_settings()


def with_workflow(workflow: RecordingStepFunctions) -> AwsClients:
    found = private_clients()
    found.__dict__["stepfunctions"] = workflow
    return found


def workflow_request(**changes: Any) -> dict[str, Any]:
    return {
        "task_token": "token-of-the-waiting-task",
        "execution": EXECUTION,
        "kind": "raise_max",
        "what": "raise MaxCapacity of sensor-app from 20 to 25",
        "summary": "CPU at 95 % with the service at its maximum",
        "proposal": {"from_max": 20, "to_max": 25, "cost_impact": COST},
        "timeout_seconds": 600,
        "now": AT.isoformat(),
    } | changes


def records(settings: OpsSettings, resource: str) -> list[AuditRecord]:
    return state_table(settings.state_table_name).recent_records(resource, AT - timedelta(days=1))


def test_a_workflow_request_is_stored_with_its_token_and_announced_without_it(settings: OpsSettings) -> None:
    stored = record_workflow_request(clients(), workflow_request(), settings)

    assert re.fullmatch(r"[0-9a-f]{12}", stored["approval_id"])
    assert stored["expires_at"] == (AT + timedelta(seconds=600)).isoformat()
    approval = ApprovalStore(clients().table(settings.state_table_name)).get(stored["approval_id"])
    assert approval is not None
    assert (approval.kind, approval.status, approval.task_token) == (
        "raise_max",
        "pending",
        "token-of-the-waiting-task",
    )
    assert approval.what == "raise MaxCapacity of sensor-app from 20 to 25"
    assert approval.summary == "CPU at 95 % with the service at its maximum"
    assert approval.proposal == {"from_max": 20, "to_max": 25, "cost_impact": COST}
    assert approval.cost_impact.model_dump() == COST
    assert (approval.requested_by, approval.execution) == (EXECUTION, EXECUTION)
    assert (approval.created_at, approval.expires_at) == (AT, AT + timedelta(seconds=600))
    [message] = published(settings.notification_topic_arn)
    assert message["subject"] == "Sensor Autopilot: approval needed to raise MaxCapacity of sensor-app from 20 to 25"
    announced = message["message"]["approval_request"]
    assert announced["approval_id"] == stored["approval_id"] and announced["kind"] == "raise_max"
    assert announced["how_to_answer"].startswith(f"autopilot approve {stored['approval_id']} (or autopilot reject ")
    assert f"POST /approvals/{stored['approval_id']} on the ops API" in announced["how_to_answer"]
    assert '{"decision": "approve"|"reject"}' in announced["how_to_answer"]
    assert not {"answered_by", "answered_at", "comment", "task_token"} & set(announced)
    assert "token-of-the-waiting-task" not in json.dumps(message)


def test_a_request_without_an_execution_or_a_cost_is_requested_by_the_remediation_workflow(
    settings: OpsSettings,
) -> None:
    what = "raise MaxCapacity " + "x" * 120
    stored = record_workflow_request(clients(), workflow_request(execution="", proposal={}, what=what), settings)

    approval = ApprovalStore(clients().table(settings.state_table_name)).get(stored["approval_id"])
    assert approval is not None and approval.requested_by == "remediation workflow"
    assert approval.cost_impact.summary == "no cost change" and approval.cost_impact.tasks_delta == 0
    [message] = published(settings.notification_topic_arn)
    assert message["subject"] == f"Sensor Autopilot: approval needed to {what}"[:100]
    assert len(message["subject"]) == 100


def test_a_malformed_workflow_request_names_the_field_and_stores_nothing(settings: OpsSettings) -> None:
    with pytest.raises(InvalidEventError, match=r"invalid approval_request: .*timeout_seconds"):
        record_workflow_request(clients(), workflow_request(timeout_seconds=0), settings)
    assert ApprovalStore(clients().table(settings.state_table_name)).list(None) == []
    assert published(settings.notification_topic_arn) == []


@pytest.mark.parametrize(("decision", "approved"), [("approve", True), ("reject", False)])
def test_answering_a_workflow_request_sends_the_decision_to_the_waiting_task_and_records_it(
    settings: OpsSettings, decision: Literal["approve", "reject"], approved: bool
) -> None:
    workflow = RecordingStepFunctions()
    found = with_workflow(workflow)
    approval_id = record_workflow_request(found, workflow_request(), settings)["approval_id"]
    later = AT + timedelta(minutes=2)

    result = answer(found, approval_id, ApprovalAnswer(decision=decision, comment="go"), SRE, later, settings)

    assert workflow.sent == [("token-of-the-waiting-task", {"approved": approved, "by": SRE.arn, "comment": "go"})]
    assert result.detail == {"workflow": EXECUTION, "answered": True}
    assert (result.outcome, result.applied) == ("approved" if approved else "rejected", False)
    assert result.approval.status == result.outcome
    assert (result.approval.answered_by, result.approval.answered_at) == (SRE.arn, later)
    stored = ApprovalStore(found.table(settings.state_table_name)).get(approval_id)
    assert stored is not None and (stored.status, stored.answered_by, stored.task_token) == (
        result.outcome,
        SRE.arn,
        None,
    )
    assert (stored.answered_at, stored.comment) == (later, "go")
    [record] = records(settings, settings.scalable_resource_id)
    assert (record.function, record.action, record.taken, record.at) == (
        "ops-approvals",
        "answer_raise_max",
        False,
        later,
    )
    what = "raise MaxCapacity of sensor-app from 20 to 25"
    assert record.reason == f"approval {approval_id} ({what}): {result.outcome} by {SRE.arn}: go"
    assert record.inputs == {"approval_id": approval_id, "kind": "raise_max"}
    assert record.cost_impact.model_dump() == COST


def test_an_answer_without_a_comment_is_recorded_as_such(settings: OpsSettings) -> None:
    found = with_workflow(RecordingStepFunctions())
    approval_id = record_workflow_request(found, workflow_request(), settings)["approval_id"]
    answer(found, approval_id, ApprovalAnswer(decision="reject"), SRE, AT, settings)
    [record] = records(settings, settings.scalable_resource_id)
    assert record.reason.endswith(f"rejected by {SRE.arn}: no comment")


@pytest.mark.parametrize("gone", ["TaskTimedOut", "TaskDoesNotExist", "InvalidToken"])
def test_a_workflow_that_no_longer_waits_marks_the_approval_expired_and_applies_nothing(
    settings: OpsSettings, gone: str
) -> None:
    found = with_workflow(RecordingStepFunctions(error=gone))
    approval_id = record_workflow_request(found, workflow_request(), settings)["approval_id"]

    with pytest.raises(OpsConflictError) as caught:
        answer(found, approval_id, ApprovalAnswer(decision="approve"), SRE, AT, settings)

    assert str(caught.value) == (
        f"the workflow no longer waits for approval {approval_id} (it timed out or ended); nothing was applied"
    )
    stored = ApprovalStore(found.table(settings.state_table_name)).get(approval_id)
    assert stored is not None and stored.status == "expired"
    assert records(settings, settings.scalable_resource_id) == []


def test_another_step_functions_error_is_raised_as_it_is(settings: OpsSettings) -> None:
    found = with_workflow(RecordingStepFunctions(error="AccessDeniedException"))
    approval_id = record_workflow_request(found, workflow_request(), settings)["approval_id"]

    with pytest.raises(ClientError, match="AccessDeniedException"):
        answer(found, approval_id, ApprovalAnswer(decision="approve"), SRE, AT, settings)

    stored = ApprovalStore(found.table(settings.state_table_name)).get(approval_id)
    assert stored is not None and stored.status == "approved"


def test_an_answer_after_the_expiry_is_recorded_and_refused(settings: OpsSettings) -> None:
    workflow = RecordingStepFunctions()
    found = with_workflow(workflow)
    approval_id = record_workflow_request(found, workflow_request(), settings)["approval_id"]
    expiry = AT + timedelta(seconds=600)

    with pytest.raises(OpsConflictError) as caught:
        answer(found, approval_id, ApprovalAnswer(decision="approve"), SRE, expiry, settings)

    assert str(caught.value) == f"approval {approval_id} expired at {expiry.isoformat()}; nothing applied"
    assert workflow.sent == []
    stored = ApprovalStore(found.table(settings.state_table_name)).get(approval_id)
    assert stored is not None and (stored.status, stored.answered_by) == ("expired", SRE.arn)
    [record] = records(settings, settings.scalable_resource_id)
    assert (record.action, record.taken) == ("answer_raise_max", False)
    assert record.reason.endswith(f"answer from {SRE.arn} came after the expiry; not applied")


def test_an_unknown_id_is_not_found_and_a_second_answer_is_a_conflict(settings: OpsSettings) -> None:
    found = with_workflow(RecordingStepFunctions())
    with pytest.raises(OpsNotFoundError) as missing:
        answer(found, "0123456789ab", ApprovalAnswer(decision="approve"), SRE, AT, settings)
    assert str(missing.value) == "no approval '0123456789ab'; list the pending ones with GET /approvals"
    approval_id = record_workflow_request(found, workflow_request(), settings)["approval_id"]
    answer(found, approval_id, ApprovalAnswer(decision="reject"), SRE, AT, settings)
    with pytest.raises(OpsConflictError) as again:
        answer(found, approval_id, ApprovalAnswer(decision="approve"), SRE, AT, settings)
    assert str(again.value) == f"approval {approval_id} was already rejected by {SRE.arn}"


def test_an_answer_that_loses_a_race_is_a_conflict(settings: OpsSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone answered between this answer's read and its write: the read still saw it pending."""
    found = with_workflow(RecordingStepFunctions())
    approval_id = record_workflow_request(found, workflow_request(), settings)["approval_id"]
    store = ApprovalStore(found.table(settings.state_table_name))
    pending = store.get(approval_id)
    answer(found, approval_id, ApprovalAnswer(decision="reject"), SRE, AT, settings)
    monkeypatch.setattr(ApprovalStore, "get", lambda _self, _id: pending)

    with pytest.raises(OpsConflictError) as caught:
        answer(found, approval_id, ApprovalAnswer(decision="approve"), SRE, AT, settings)
    assert str(caught.value) == f"approval {approval_id} was answered by someone else just now"


def test_approving_a_class_change_applies_it_and_records_it_against_the_primary(settings: OpsSettings) -> None:
    request = InstanceClassRequest.model_validate({"class": "db.t3.large", "reason": "CPU high"})
    proposal = propose_class_change(clients(), request, SRE, AT, settings)

    result = answer(clients(), proposal.approval_id, ApprovalAnswer(decision="approve"), SRE, AT, settings)

    assert (result.outcome, result.applied) == ("approved", True)
    assert result.detail == {
        "instance_id": settings.primary_db_instance_id,
        "from_class": "db.t3.medium",
        "to_class": "db.t3.large",
    }
    answered = [r for r in records(settings, settings.primary_db_instance_id) if r.function == "ops-approvals"]
    assert [(r.action, r.taken) for r in answered] == [("answer_db_instance_class", True)]


def test_rejecting_a_class_change_applies_nothing(settings: OpsSettings) -> None:
    request = InstanceClassRequest.model_validate({"class": "db.t3.large", "reason": "CPU high"})
    proposal = propose_class_change(clients(), request, SRE, AT, settings)

    result = answer(clients(), proposal.approval_id, ApprovalAnswer(decision="reject"), SRE, AT, settings)

    assert (result.outcome, result.applied, result.detail) == ("rejected", False, {})
    answered = [r for r in records(settings, settings.primary_db_instance_id) if r.function == "ops-approvals"]
    assert [(r.action, r.taken) for r in answered] == [("answer_db_instance_class", False)]


def test_the_listing_leaves_out_answered_and_expired_requests_unless_all_are_asked_for(settings: OpsSettings) -> None:
    found = with_workflow(RecordingStepFunctions())
    short = record_workflow_request(found, workflow_request(timeout_seconds=60), settings)["approval_id"]
    long = record_workflow_request(found, workflow_request(timeout_seconds=3600), settings)["approval_id"]
    answered = record_workflow_request(found, workflow_request(), settings)["approval_id"]
    answer(found, answered, ApprovalAnswer(decision="reject"), SRE, AT, settings)
    later = AT + timedelta(seconds=60)

    assert {a.approval_id for a in list_approvals(found, settings, AT)} == {short, long}
    assert [a.approval_id for a in list_approvals(found, settings, later)] == [long]
    assert {a.approval_id for a in list_approvals(found, settings, later, include_answered=True)} == {
        short,
        long,
        answered,
    }


def test_a_workflow_request_is_logged_by_id_and_execution_without_its_token(
    settings: OpsSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    stored = record_workflow_request(clients(), workflow_request(), settings)

    [logged] = [r for r in caplog.records if r.getMessage() == "approval requested"]
    assert (logged.__dict__["approval_id"], logged.__dict__["execution"]) == (stored["approval_id"], EXECUTION)
    assert "token-of-the-waiting-task" not in json.dumps(logged.__dict__, default=str)
