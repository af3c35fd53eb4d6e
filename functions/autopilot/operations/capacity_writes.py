"""Writing a scalable target's bounds so that concurrent actions cannot leave the lease and the target disagreeing.

One writer per scalable target at a time (a DynamoDB lock with an expiry), the lease written conditionally on the
version read, and the target read again after the write: a disagreement that still shows is reported, never hidden.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from autopilot.adapters.autoscaling import describe_target, set_capacity
from autopilot.adapters.clients import AwsClients
from autopilot.adapters.cloudwatch_service import set_alarm_threshold
from autopilot.adapters.state_table import StateTable
from autopilot.errors import AutopilotError
from autopilot.models.records import Lease, MaxLease

if TYPE_CHECKING:
    from mypy_boto3_application_autoscaling import ApplicationAutoScalingClient

LOCK_TTL = timedelta(seconds=120)
LOCK_ATTEMPTS = 6
LOCK_BACKOFF_SECONDS = 0.25


class CapacityBusyError(AutopilotError):
    """Another action holds the scalable target's lock: this one changes nothing and says so."""


@contextmanager
def capacity_lock(table: StateTable, resource_id: str, now: datetime) -> Iterator[str]:
    """Hold the target's lock for the block; waits briefly for another holder, then raises CapacityBusyError."""
    name, owner = f"capacity:{resource_id}", uuid.uuid4().hex
    for attempt in range(LOCK_ATTEMPTS):
        if table.acquire_lock(name, owner, now, LOCK_TTL):
            break
        if attempt + 1 < LOCK_ATTEMPTS:
            time.sleep(LOCK_BACKOFF_SECONDS * (attempt + 1))
    else:
        raise CapacityBusyError(
            f"another action on {resource_id} is in progress; this one changed nothing (the other's result stands, "
            "and the next event or the sweeper decides again)"
        )
    try:
        yield owner
    finally:
        table.release_lock(name, owner)


def raise_floor(clients: AwsClients, table: StateTable, lease: Lease, replaces: Lease | None) -> str | None:
    """Lease first (so a floor is never raised without a record), then the floor; undo the lease if the raise fails.
    Returns a disagreement found when reading the target back, or None."""
    stored = table.put_lease(lease, replaces=replaces)
    try:
        set_capacity(clients.autoscaling, lease.resource_id, min_capacity=lease.leased_min)
    except Exception:
        if replaces is None:
            table.delete_lease(lease.resource_id, expected_version=stored.version)
        else:
            table.put_lease(replaces, replaces=stored)
        raise
    return check_floor(clients.autoscaling, lease.resource_id, lease.leased_min)


def check_floor(aas: ApplicationAutoScalingClient, resource_id: str, expected_min: int) -> str | None:
    """Read the target back after writing it."""
    now_min = describe_target(aas, resource_id).min
    if now_min == expected_min:
        return None
    return (
        f"MinCapacity of {resource_id} reads {now_min} after writing {expected_min}: something else changed it; "
        "the lease is kept and the sweeper settles it"
    )


def raise_max(
    clients: AwsClients, table: StateTable, lease: MaxLease, replaces: MaxLease | None, at_max_alarm: str
) -> None:
    """Raise MaxCapacity with a lease of its own (the original is kept across repeated raises), and move the
    at-max alarm to the new maximum so it keeps meaning "at max"."""
    original = replaces.original_max if replaces is not None else lease.original_max
    table.put_max_lease(lease.model_copy(update={"original_max": original}))
    set_capacity(clients.autoscaling, lease.resource_id, max_capacity=lease.leased_max)
    if at_max_alarm:
        set_alarm_threshold(clients.cloudwatch, at_max_alarm, float(lease.leased_max))
