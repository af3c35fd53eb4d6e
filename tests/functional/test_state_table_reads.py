"""The audit trail reads newest first, whatever the records' age: no read depends on today's date. Lists read
every page, and every time the table stores is UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from autopilot.models.records import AuditRecord, Lease, MaxLease
from autopilot_cli.embedded.seed_stack import EmbeddedStack

from tests.helpers.clients import state_table

OLD = datetime(2019, 1, 1, 12, 0, tzinfo=UTC)  # years before any test run
PLUS_TWO = timezone(timedelta(hours=2))
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
WHEN = {"raised_at": datetime(2019, 1, 1, 12, 0, tzinfo=PLUS_TWO), "expires_at": datetime(2019, 1, 1, 13, 0)}
LEASE: dict[str, Any] = {"original_min": 3, "leased_min": 6, "alarm_name": "a", "episode": "e", **WHEN}
MAX_LEASE: dict[str, Any] = {"original_max": 20, "leased_max": 25, "alarm_name": "a", "episode": "e", **WHEN}


def _record(stack: EmbeddedStack, n: int) -> AuditRecord:
    return AuditRecord(
        record_id=f"r{n}",
        resource_id=stack.resource_id,
        at=OLD + timedelta(minutes=n),
        function="test",
        action=f"action-{n}",
        taken=False,
        reason="written by the test",
    )


def test_latest_records_are_newest_first_and_limited_whatever_their_age(stack: EmbeddedStack) -> None:
    table = state_table(stack.table_name)
    for n in (3, 1, 4, 0, 2):
        table.record(_record(stack, n))
    latest = table.latest_records(stack.resource_id, 3)
    assert [r.action for r in latest] == ["action-4", "action-3", "action-2"]


def test_status_lists_decisions_older_than_a_day(stack: EmbeddedStack) -> None:
    from autopilot_cli.status import collect_current

    state_table(stack.table_name).record(_record(stack, 0))
    assert [d["action"] for d in collect_current()["recent_decisions"]] == ["action-0"]


def test_recent_records_read_every_page_newest_first(stack: EmbeddedStack) -> None:
    """Records of about 4 KB each: 300 of them are over DynamoDB's 1 MB page, so one query is not enough."""
    table = state_table(stack.table_name)
    for n in range(300):
        record = _record(stack, n)
        record.inputs = {"padding": "x" * 4000}
        table.record(record)
    records = table.recent_records(stack.resource_id, OLD)
    assert len(records) == 300
    assert [r.action for r in records[:2]] == ["action-299", "action-298"] and records[-1].action == "action-0"


def test_sort_keys_are_utc_whatever_the_offset_of_the_time(stack: EmbeddedStack) -> None:
    """12:30+02:00 is 10:30 UTC: it sorts before 11:00 UTC."""
    table = state_table(stack.table_name)
    early = _record(stack, 0).model_copy(update={"record_id": "early", "action": "early"})
    early.at = datetime(2019, 1, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    late = _record(stack, 0).model_copy(update={"record_id": "late", "action": "late"})
    late.at = datetime(2019, 1, 1, 11, 0, tzinfo=UTC)
    table.record(early)
    table.record(late)
    assert [r.action for r in table.latest_records(stack.resource_id, 2)] == ["late", "early"]


def test_lease_lists_read_every_page(stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of one item each: a list that stopped at the first page would miss leases."""
    table = state_table(stack.table_name)
    for n in range(3):
        resource = f"service/c/s{n}"
        table.put_lease(Lease(**LEASE, resource_id=resource))
        table.put_max_lease(MaxLease(**MAX_LEASE, resource_id=resource))
    query = table._table.query
    monkeypatch.setattr(table._table, "query", lambda **kwargs: query(**kwargs | {"Limit": 1}))
    assert sorted(lease.resource_id for lease in table.list_leases()) == [f"service/c/s{n}" for n in range(3)]
    assert sorted(lease.resource_id for lease in table.list_max_leases()) == [f"service/c/s{n}" for n in range(3)]


def _times(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _times(v)]
    if isinstance(value, list):
        return [t for v in value for t in _times(v)]
    return [value] if isinstance(value, str) and ISO_TIME.match(value) else []


def test_every_time_the_table_stores_is_utc(stack: EmbeddedStack) -> None:
    """Times given with an offset (or none) are stored as UTC, in the body as in the sort keys."""
    table = state_table(stack.table_name)
    record = _record(stack, 0)
    record.at = datetime(2019, 1, 1, 12, 30, tzinfo=PLUS_TWO)
    record.inputs = {"now": "2019-01-01T12:30:00+02:00", "seen": ["2019-01-01T10:30:00"]}
    table.record(record)
    table.put_lease(Lease(**LEASE, resource_id="service/c/utc"))
    table.put_max_lease(MaxLease(**MAX_LEASE, resource_id="service/c/utc"))
    items = boto3.resource("dynamodb").Table(stack.table_name).scan()["Items"]
    stored = [t for item in items for t in _times({k: v for k, v in item.items() if k != "sk"})]
    assert len(stored) >= 7 and all(t.endswith(("Z", "+00:00")) for t in stored), stored
    assert table.latest_records(stack.resource_id, 1)[0].at == datetime(2019, 1, 1, 10, 30, tzinfo=UTC)
