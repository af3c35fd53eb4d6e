"""What every decision handler does first: validate the input, fix the decision time and the dry-run flag.

Shared by the handlers (a handler never imports another handler)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from autopilot.clock import resolve_now
from autopilot.models.task_input import ParsedInput, parse_task_input
from autopilot.settings.common import CommonSettings


def prepare(event: Any, settings: CommonSettings) -> tuple[ParsedInput, datetime, bool]:
    parsed = parse_task_input(event)
    dry_run = parsed.raw.dry_run if parsed.raw.dry_run is not None else settings.dry_run
    return parsed, resolve_now(parsed.now), dry_run


def applies_now(parsed: ParsedInput, now: datetime) -> datetime:
    """The time an approved action is re-checked and applied: the decision time advanced by what the execution
    spent until the applying task (the answer may come hours later). In AWS the decision time is the execution's
    start, so this is when the task started; an execution run in a given (virtual) time stays in it."""
    raw = parsed.raw
    if raw.approval is None or raw.entered_at is None or raw.started_at is None:
        return now
    return now + max(raw.entered_at - raw.started_at, timedelta(0))
