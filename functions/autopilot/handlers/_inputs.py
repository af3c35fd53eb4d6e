"""What every decision handler does first: validate the input, fix the decision time and the dry-run flag."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from autopilot.clock import resolve_now
from autopilot.models.task_input import ParsedInput, parse_task_input
from autopilot.settings.common import CommonSettings


def prepare(event: Any, settings: CommonSettings) -> tuple[ParsedInput, datetime, bool]:
    parsed = parse_task_input(event)
    dry_run = parsed.raw.dry_run if parsed.raw.dry_run is not None else settings.dry_run
    return parsed, resolve_now(parsed.now), dry_run


def applies_now(parsed: ParsedInput, now: datetime) -> datetime:
    """The time an approved action is re-checked and applied: when the workflow entered the applying task (the
    answer may come hours after the decision), never earlier than the decision time."""
    entered = parsed.raw.entered_at
    if parsed.raw.approval is not None and entered is not None and entered > now:
        return entered
    return now
