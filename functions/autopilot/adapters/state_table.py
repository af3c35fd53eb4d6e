"""The control plane's DynamoDB table: floor leases, the audit trail and the promotion lock.

Single-table layout (``pk``/``sk``; ``ttl`` epoch seconds for DynamoDB TTL):
- ``LEASE#``            / ``<resource>``     the active floor lease of each scalable target (one query lists
                                             them; writes are conditional on the lease's ``version``)
- ``MAXLEASE#``         / ``<resource>``     a raised MaxCapacity and when it comes back down
- ``AUDIT#<resource>`` / ``<UTC iso time>#<id>`` every decision, taken or skipped (UTC, so string order is
                                             time order)
- ``ACTIONS#<alarm>``  / ``<iso time>#<id>`` actions taken per alarm (flapping guard)
- ``LOCK#<name>``      / ``LOCK``            one promoter at a time
- ``DIGEST#<day>``, ``DIGEST#RUN``          routine notifications waiting for the digest (adapters/digest_store.py)
Powertools idempotency records share the table under their own ``pk`` values. Every time stored, in sort keys
and in item bodies, is UTC (:func:`utc_key`).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key

from autopilot.errors import AutopilotError
from autopilot.models.records import AuditRecord, Lease, MaxLease

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

AUDIT_RETENTION = timedelta(days=90)
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?$")
LEASES = "LEASE#"
MAX_LEASES = "MAXLEASE#"


class LeaseConflictError(AutopilotError):
    """The lease changed between reading it and writing it: another action raced this one."""


def utc_key(moment: datetime) -> str:
    """A time as a sort key: always UTC (naive times are taken as UTC), so string order is time order."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _utc_times(value: Any) -> Any:
    """Every ISO time in ``value`` (a string that is exactly one, with any offset or none) as UTC, written as
    pydantic writes a UTC time (``...Z``)."""
    if isinstance(value, str) and _ISO_TIME.match(value):
        return utc_key(datetime.fromisoformat(value.replace("Z", "+00:00"))).replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: _utc_times(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_utc_times(v) for v in value]
    return value


def _to_item(data: dict[str, Any]) -> dict[str, Any]:
    """A JSON-mode model dump as a DynamoDB item: numbers as Decimal, every time in UTC."""
    return json.loads(json.dumps(_utc_times(data), default=str), parse_float=Decimal)  # type: ignore[no-any-return]


def _from_item(item: dict[str, Any]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return {k: plain(v) for k, v in item.items()}


def query_all(table: Table, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item a query matches, read page by page."""
    items: list[dict[str, Any]] = []
    while True:
        page = table.query(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class StateTable:
    """The table's leases, audit trail and locks; ``table`` is the stack's state table (``AwsClients.table``)."""

    def __init__(self, table: Table) -> None:
        self._table = table

    # leases -------------------------------------------------------------------------------------
    def get_lease(self, resource_id: str) -> Lease | None:
        item = self._table.get_item(Key={"pk": LEASES, "sk": resource_id}, ConsistentRead=True)
        return Lease.model_validate(_from_item(item["Item"])) if "Item" in item else None

    def list_leases(self) -> list[Lease]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(LEASES), ConsistentRead=True)
        return [Lease.model_validate(_from_item(i)) for i in items]

    def put_lease(self, lease: Lease, replaces: Lease | None = None) -> Lease:
        """Write ``lease`` only if the stored lease is still ``replaces`` (or absent when ``replaces`` is None).
        Returns the lease as stored (its version bumped); raises :class:`LeaseConflictError` otherwise."""
        stored = lease.model_copy(update={"version": (replaces.version + 1) if replaces is not None else 1})
        item = _to_item(stored.model_dump(mode="json"))
        item |= {"pk": LEASES, "sk": lease.resource_id, "ttl": _epoch(lease.expires_at) + 86400}
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if replaces is None
            else {"ConditionExpression": Attr("version").eq(replaces.version)}
        )
        try:
            self._table.put_item(Item=item, **condition)
        except self._table.meta.client.exceptions.ConditionalCheckFailedException as exc:
            raise LeaseConflictError(
                f"the lease on {lease.resource_id} changed while this decision was taken (another action raced it); "
                "nothing was written — the next event or the sweeper decides again over the new lease"
            ) from exc
        return stored

    def delete_lease(self, resource_id: str, expected_version: int | None = None) -> bool:
        """Remove the lease (only if it still has ``expected_version`` when given). Returns whether it was removed."""
        condition: dict[str, Any] = (
            {} if expected_version is None else {"ConditionExpression": Attr("version").eq(expected_version)}
        )
        try:
            self._table.delete_item(Key={"pk": LEASES, "sk": resource_id}, **condition)
        except self._table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def get_max_lease(self, resource_id: str) -> MaxLease | None:
        item = self._table.get_item(Key={"pk": MAX_LEASES, "sk": resource_id}, ConsistentRead=True)
        return MaxLease.model_validate(_from_item(item["Item"])) if "Item" in item else None

    def list_max_leases(self) -> list[MaxLease]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(MAX_LEASES), ConsistentRead=True)
        return [MaxLease.model_validate(_from_item(i)) for i in items]

    def put_max_lease(self, lease: MaxLease) -> None:
        item = _to_item(lease.model_dump(mode="json"))
        item |= {"pk": MAX_LEASES, "sk": lease.resource_id, "ttl": _epoch(lease.expires_at) + 86400}
        self._table.put_item(Item=item)

    def delete_max_lease(self, resource_id: str) -> None:
        self._table.delete_item(Key={"pk": MAX_LEASES, "sk": resource_id})

    # audit trail ----------------------------------------------------------------------------------
    def record(self, record: AuditRecord) -> None:
        body = _to_item(record.model_dump(mode="json"))
        sort = f"{utc_key(record.at)}#{record.record_id}"
        ttl = _epoch(record.at + AUDIT_RETENTION)
        self._table.put_item(Item=body | {"pk": f"AUDIT#{record.resource_id}", "sk": sort, "ttl": ttl})
        if record.taken and record.alarm_name:
            marker: dict[str, Any] = {
                "pk": f"ACTIONS#{record.alarm_name}",
                "sk": sort,
                "ttl": ttl,
                "action": record.action,
            }
            self._table.put_item(Item=marker)

    def recent_records(self, resource_id: str, since: datetime) -> list[AuditRecord]:
        """Every decision about a resource since ``since``, newest first, read page by page."""
        items = query_all(
            self._table,
            KeyConditionExpression=Key("pk").eq(f"AUDIT#{resource_id}") & Key("sk").gte(utc_key(since)),
            ScanIndexForward=False,
            ConsistentRead=True,
        )
        return [AuditRecord.model_validate(_from_item(i)) for i in items]

    def latest_records(self, resource_id: str, limit: int) -> list[AuditRecord]:
        """The newest ``limit`` decisions about a resource, newest first, whatever their age."""
        resp = self._table.query(
            KeyConditionExpression=Key("pk").eq(f"AUDIT#{resource_id}"),
            ScanIndexForward=False,
            Limit=limit,
            ConsistentRead=True,
        )
        return [AuditRecord.model_validate(_from_item(i)) for i in resp.get("Items", [])]

    def actions_since(self, alarm_name: str, since: datetime) -> int:
        resp = self._table.query(
            KeyConditionExpression=Key("pk").eq(f"ACTIONS#{alarm_name}") & Key("sk").gte(utc_key(since)),
            Select="COUNT",
            ConsistentRead=True,
        )
        return int(resp.get("Count", 0))

    # locks ----------------------------------------------------------------------------------------
    def acquire_lock(self, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Take the lock unless someone else holds an unexpired one. Returns whether we hold it."""
        try:
            self._table.put_item(
                Item={
                    "pk": f"LOCK#{name}",
                    "sk": "LOCK",
                    "owner": owner,
                    "expires": _epoch(now + ttl),
                    "ttl": _epoch(now + ttl) + 3600,
                },
                ConditionExpression="attribute_not_exists(pk) OR expires < :now OR #o = :owner",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":now": _epoch(now), ":owner": owner},
            )
        except self._table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release_lock(self, name: str, owner: str) -> None:
        try:
            self._table.delete_item(
                Key={"pk": f"LOCK#{name}", "sk": "LOCK"},
                ConditionExpression="#o = :owner",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":owner": owner},
            )
        except self._table.meta.client.exceptions.ConditionalCheckFailedException:
            return
