"""The audit trail reads newest first, whatever the records' age: no read depends on today's date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from autopilot.adapters.state_table import StateTable
from autopilot.models.records import AuditRecord
from autopilot_cli.embedded.seed_stack import EmbeddedStack

OLD = datetime(2019, 1, 1, 12, 0, tzinfo=UTC)  # years before any test run


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
    table = StateTable(stack.table_name)
    for n in (3, 1, 4, 0, 2):
        table.record(_record(stack, n))
    latest = table.latest_records(stack.resource_id, 3)
    assert [r.action for r in latest] == ["action-4", "action-3", "action-2"]


def test_status_lists_decisions_older_than_a_day(stack: EmbeddedStack) -> None:
    from autopilot.settings.common import CommonSettings
    from autopilot_cli.status import collect

    StateTable(stack.table_name).record(_record(stack, 0))
    assert [d["action"] for d in collect(CommonSettings())["recent_decisions"]] == ["action-0"]


def test_recent_records_read_every_page_newest_first(stack: EmbeddedStack) -> None:
    """Records of about 4 KB each: 300 of them are over DynamoDB's 1 MB page, so one query is not enough."""
    table = StateTable(stack.table_name)
    for n in range(300):
        record = _record(stack, n)
        record.inputs = {"padding": "x" * 4000}
        table.record(record)
    records = table.recent_records(stack.resource_id, OLD)
    assert len(records) == 300
    assert [r.action for r in records[:2]] == ["action-299", "action-298"] and records[-1].action == "action-0"


def test_sort_keys_are_utc_whatever_the_offset_of_the_time(stack: EmbeddedStack) -> None:
    """12:30+02:00 is 10:30 UTC: it sorts before 11:00 UTC."""
    table = StateTable(stack.table_name)
    early = _record(stack, 0).model_copy(update={"record_id": "early", "action": "early"})
    early.at = datetime(2019, 1, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    late = _record(stack, 0).model_copy(update={"record_id": "late", "action": "late"})
    late.at = datetime(2019, 1, 1, 11, 0, tzinfo=UTC)
    table.record(early)
    table.record(late)
    assert [r.action for r in table.latest_records(stack.resource_id, 2)] == ["late", "early"]
