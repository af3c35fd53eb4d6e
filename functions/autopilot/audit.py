"""Write every decision, taken or skipped, to the audit trail, and count actions as a metric."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from autopilot.adapters.state_table import StateTable
from autopilot.models.records import AuditRecord, CostImpact
from autopilot.observability import logger, metrics


def record_decision(
    table: StateTable,
    *,
    function: str,
    resource_id: str,
    at: datetime,
    action: str,
    taken: bool,
    reason: str,
    dry_run: bool = False,
    alarm_name: str | None = None,
    episode: str | None = None,
    inputs: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    cost_impact: CostImpact | None = None,
) -> AuditRecord:
    record = AuditRecord(
        record_id=uuid.uuid4().hex[:12],
        resource_id=resource_id,
        at=at,
        function=function,
        action=action,
        taken=taken,
        dry_run=dry_run,
        reason=reason,
        alarm_name=alarm_name,
        episode=episode,
        inputs=inputs or {},
        changes=changes or {},
        cost_impact=cost_impact or CostImpact(),
    )
    table.record(record)
    logger.info("decision recorded", extra={"decision": record.model_dump(mode="json")})
    metrics.add_metric(name="Decisions", unit=MetricUnit.Count, value=1)
    if taken:
        metrics.add_metric(name="ActionsTaken", unit=MetricUnit.Count, value=1)
    return record
