"""GET /actions and ``autopilot actions``: the decision log, newest first, a page at a time."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from boto3.dynamodb.conditions import Key

from autopilot.adapters.clients import AwsClients
from autopilot.adapters.state_table import _from_item
from autopilot.models.ops import ActionsPage
from autopilot.operations.ops_errors import OpsRefusedError
from autopilot.settings.ops import OpsSettings

AUDIT_FIELDS = ("pk", "sk", "ttl")


def _decode(cursor: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise OpsRefusedError("cursor is not one this API returned; start again without it") from exc
    if not isinstance(key, dict) or set(key) != {"pk", "sk"}:
        raise OpsRefusedError("cursor is not one this API returned; start again without it")
    return key


def _encode(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps({"pk": key["pk"], "sk": key["sk"]}).encode()).decode()


def list_actions(
    clients: AwsClients, settings: OpsSettings, resource: str | None, limit: int, cursor: str | None
) -> ActionsPage:
    """The decisions about ``resource`` (the service by default), newest first."""
    resource_id = resource or settings.scalable_resource_id
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key("pk").eq(f"AUDIT#{resource_id}"),
        "ScanIndexForward": False,
        "Limit": limit,
        "ConsistentRead": True,
    }
    if cursor:
        start = _decode(cursor)
        if start["pk"] != f"AUDIT#{resource_id}":
            raise OpsRefusedError("cursor belongs to another resource; start again without it")
        kwargs["ExclusiveStartKey"] = start
    page = clients.table(settings.state_table_name).query(**kwargs)
    items = [{k: v for k, v in _from_item(i).items() if k not in AUDIT_FIELDS} for i in page.get("Items", [])]
    last = page.get("LastEvaluatedKey")
    return ActionsPage(items=items, next_cursor=_encode(last) if last and len(items) == limit else None)
