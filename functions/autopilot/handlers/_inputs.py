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
