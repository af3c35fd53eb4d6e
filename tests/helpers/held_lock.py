"""Another action holding a scalable target's capacity lock, as a test sets it up (the lock is only a table item)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from autopilot.operations import capacity_writes

from tests.helpers.clients import state_table


def hold_capacity_lock(
    monkeypatch: pytest.MonkeyPatch, table_name: str, resource_id: str, at: datetime, owner: str = "other-action"
) -> None:
    """Take ``resource_id``'s lock for ``owner`` until two minutes after ``at``; the action under test asks once
    (no backoff waits), so it finds the lock taken at once."""
    assert state_table(table_name).acquire_lock(f"capacity:{resource_id}", owner, at, timedelta(minutes=2))
    monkeypatch.setattr(capacity_writes, "LOCK_ATTEMPTS", 1)
