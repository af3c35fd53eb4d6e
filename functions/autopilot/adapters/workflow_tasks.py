"""Answer a workflow task that waits for a token (SendTaskSuccess)."""

from __future__ import annotations

import json
from typing import Any

from autopilot.adapters.aws import client


def send_task_success(task_token: str, output: dict[str, Any]) -> None:
    client("stepfunctions").send_task_success(taskToken=task_token, output=json.dumps(output))
