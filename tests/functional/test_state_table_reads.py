"""The audit trail reads newest first, whatever the records' age: no read depends on today's date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
