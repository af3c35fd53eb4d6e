"""Answer a workflow task that waits for a token (SendTaskSuccess)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


def send_task_success(sfn: SFNClient, task_token: str, output: dict[str, Any]) -> None:
    sfn.send_task_success(taskToken=task_token, output=json.dumps(output))
