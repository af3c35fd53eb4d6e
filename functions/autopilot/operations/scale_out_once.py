"""Once per alarm episode: Powertools idempotency on DynamoDB, keyed on the episode and the approval answer.

A duplicate delivery that arrives while the first is still running answers "in progress" (no failure, so no false
"failed" notification). A retry of the same workflow task (a lost response) gets the first answer back as it was,
so the workflow still verifies what was done; another execution for the same episode is told it was handled.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from autopilot.adapters.clients import AwsClients
from autopilot.adapters.idempotency_store import idempotency_store
from autopilot.logic.scaling_episode import scaling_episode_of
from autopilot.models.scaling import ScalingDecision
from autopilot.models.task_input import ParsedInput
from autopilot.operations.scale_out import FUNCTION, decide_and_apply
from autopilot.settings.scaling import ScalingSettings

EPISODE_RETENTION = timedelta(hours=24)


def _replay_hook(execution: str | None) -> Any:
    def mark(response: Any, idempotent_data: DataRecord) -> Any:
        if not isinstance(response, dict):
            return response
        if execution is not None and response.get("execution") == execution:
            return response  # the same task retried after a lost response: same answer, so Verify still runs
        return {
            **response,
            "replayed": True,
            "taken": False,
            "summary": f"Already handled this alarm episode; no new change. Earlier: {response.get('summary')}",
        }

    return mark


def _in_progress(dry_run: bool) -> dict[str, Any]:
    reason = "this alarm episode is being handled by another run right now; this delivery changes nothing"
    answer = ScalingDecision(
        action="none", in_progress=True, dry_run=dry_run, reason=reason, summary=f"In progress: {reason}"
    )
    return answer.model_dump(mode="json")


def run_once(
    clients: AwsClients,
    parsed: ParsedInput,
    now: datetime,
    settings: ScalingSettings,
    dry_run: bool,
    context: Any = None,
) -> dict[str, Any]:
    episode = scaling_episode_of(parsed)
    approval = parsed.raw.approval
    execution = parsed.raw.execution
    config = IdempotencyConfig(
        expires_after_seconds=int(EPISODE_RETENTION.total_seconds()), response_hook=_replay_hook(execution)
    )
    if context is not None:
        config.register_lambda_context(context)

    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="key",
        persistence_store=idempotency_store(clients.dynamodb_client, settings.state_table_name, FUNCTION),
        config=config,
    )
    def once(key: dict[str, Any]) -> dict[str, Any]:
        return {**decide_and_apply(clients, parsed, approval, now, settings, dry_run), "execution": execution}

    answer = approval.approved if approval is not None else None
    try:
        result: dict[str, Any] = once(key={"episode": episode.key, "approval": answer, "dry_run": dry_run})
    except IdempotencyAlreadyInProgressError:
        return _in_progress(dry_run)
    return result
