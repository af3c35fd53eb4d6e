"""Routine notifications waiting for the digest, in the state table.

- ``DIGEST#<yyyy-mm-dd>`` / ``<UTC iso time>#<event id>``  one routine notification, filed under its event's UTC
  day and time; a second delivery of the same event finds its key taken and adds nothing. ``sent_at`` is set
  once a digest has listed it.
- ``DIGEST#RUN``          / ``<UTC iso time>``             one digest run per schedule time: a repeated delivery
  of the same schedule event sends nothing.
Both expire (``ttl``) after :data:`RETENTION`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key

from autopilot.adapters.state_table import query_all, utc_key
from autopilot.models.notifications import DigestEntry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

DIGEST = "DIGEST#"
RUNS = "DIGEST#RUN"
RETENTION = timedelta(days=14)
LOOKBACK_DAYS = 3  # a digest lists what waits from its own UTC day and the two before (a late event, a missed run)


def day_partition(moment: datetime) -> str:
    return f"{DIGEST}{utc_key(moment)[:10]}"


def _sort_key(entry: DigestEntry) -> str:
    return f"{utc_key(entry.at)}#{entry.event_id}"


class DigestStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def _conditional_put(self, item: dict[str, Any]) -> bool:
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except self._table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def add(self, entry: DigestEntry) -> bool:
        """File a routine notification. Returns False when the same event is already filed (a duplicate)."""
        item = entry.model_dump(mode="json") | {
            "pk": day_partition(entry.at),
            "sk": _sort_key(entry),
            "at": utc_key(entry.at),
            "ttl": int((entry.at + RETENTION).timestamp()),
        }
        return self._conditional_put(item)

    def pending(self, until: datetime) -> list[DigestEntry]:
        """Every filed notification not yet sent whose event happened at or before ``until``, oldest first."""
        entries: list[DigestEntry] = []
        for back in range(LOOKBACK_DAYS - 1, -1, -1):
            items = query_all(
                self._table,
                KeyConditionExpression=Key("pk").eq(day_partition(until - timedelta(days=back)))
                & Key("sk").lte(f"{utc_key(until)}#~"),
                FilterExpression=Attr("sent_at").not_exists(),
                ConsistentRead=True,
            )
            entries += [DigestEntry.model_validate(item) for item in items]
        return entries

    def claim_run(self, until: datetime) -> bool:
        """Record the digest run for ``until``. Returns False when that run was already recorded."""
        expires = int((until + RETENTION).timestamp())
        return self._conditional_put({"pk": RUNS, "sk": utc_key(until), "ttl": expires})

    def release_run(self, until: datetime) -> None:
        """Forget the run for ``until`` (its message could not be sent), so a retry of it sends again."""
        self._table.delete_item(Key={"pk": RUNS, "sk": utc_key(until)})

    def mark_sent(self, entries: list[DigestEntry], until: datetime, message_id: str) -> None:
        for entry in entries:
            self._table.update_item(
                Key={"pk": day_partition(entry.at), "sk": _sort_key(entry)},
                UpdateExpression="SET sent_at = :at, message_id = :id",
                ExpressionAttributeValues={":at": utc_key(until), ":id": message_id},
            )
