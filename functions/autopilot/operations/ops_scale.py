"""POST /scale and ``autopilot scale``: a floor lease through the emergency path's apply and audit, once per
client token."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from autopilot.adapters.clients import AwsClients
from autopilot.adapters.idempotency_store import idempotency_store
from autopilot.adapters.state_table import StateTable
from autopilot.audit import record_decision
from autopilot.logic.floor_request import decide_floor_request
from autopilot.models.ops import Caller, ScaleRequest
from autopilot.models.scaling import ScaleOutInput
from autopilot.operations.scale_out import _apply
from autopilot.operations.snapshot import observe_service
from autopilot.settings.ops import OpsSettings

FUNCTION = "ops-scale"
TOKEN_RETENTION = timedelta(hours=24)


def _decide_and_apply(
    clients: AwsClients, request: ScaleRequest, caller: Caller, now: datetime, settings: OpsSettings
) -> dict[str, Any]:
    table = StateTable(clients.table(settings.state_table_name))
    seen = observe_service(clients, settings, table)
    alarm_name = f"manual:{caller.arn}"
    inp = ScaleOutInput(
        now=now,
        service=seen.service,
        target=seen.target,
        alarm_name=alarm_name,
        episode=f"ops|{request.client_token}",
        lease=seen.lease,
        actions_last_hour=table.actions_since(alarm_name, now - timedelta(hours=1)),
        task_hourly_usd=seen.task_hourly_usd,
        dry_run=settings.dry_run,
    )
    decision = decide_floor_request(inp, request.tasks, request.duration_minutes, settings.policy)
    if decision.taken:
        decision = _apply(clients, decision, table, inp, settings)
    record_decision(
        table,
        function=FUNCTION,
        resource_id=seen.target.resource_id,
        at=now,
        action=decision.action,
        taken=decision.taken,
        dry_run=decision.dry_run,
        reason=f"{decision.reason}; asked by {caller.arn}: {request.reason}",
        alarm_name=alarm_name,
        episode=inp.episode,
        inputs={"request": request.model_dump(mode="json"), "caller": caller.arn, "running": seen.service.running},
        cost_impact=decision.cost_impact,
        changes={"min": [decision.from_min, decision.to_min]},
    )
    return decision.model_dump(mode="json")


def _mark_replayed(response: Any, idempotent_data: DataRecord) -> Any:
    if isinstance(response, dict):
        return {**response, "replayed": True, "taken": False}
    return response


def request_floor(
    clients: AwsClients,
    request: ScaleRequest,
    caller: Caller,
    now: datetime,
    settings: OpsSettings,
    context: Any = None,
) -> dict[str, Any]:
    """The same client token with the same request answers the first result; with another request it raises
    Powertools' IdempotencyValidationError (the caller reports a conflict)."""
    persistence = idempotency_store(clients.dynamodb_client, settings.state_table_name, FUNCTION)
    config = IdempotencyConfig(
        event_key_jmespath="client_token",
        payload_validation_jmespath="[tasks, duration_minutes]",
        expires_after_seconds=int(TOKEN_RETENTION.total_seconds()),
        response_hook=_mark_replayed,
    )
    if context is not None:
        config.register_lambda_context(context)

    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="key", persistence_store=persistence, config=config
    )
    def once(key: dict[str, Any]) -> dict[str, Any]:
        return _decide_and_apply(clients, request, caller, now, settings)

    key = {"client_token": request.client_token, "tasks": request.tasks, "duration_minutes": request.duration_minutes}
    result: dict[str, Any] = once(key=key)
    return result
