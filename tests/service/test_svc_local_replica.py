"""The test replica's replication slot: the primary keeps the WAL it has not received, and no slot outlives it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sensor_api.dev.localpg import SLOT_PREFIX, LocalReplica, Primary, drop_orphaned_slots

pytestmark = [pytest.mark.service, pytest.mark.timeout(180)]


def slots(primary: Primary) -> set[str]:
    names = primary.psql(f"SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE '{SLOT_PREFIX}%'")
    return set(names.splitlines())


def test_a_replica_streams_through_its_own_slot_which_goes_with_it(own_replica: LocalReplica, primary: Primary) -> None:
    name = own_replica.slot
    active = primary.psql(f"SELECT active FROM pg_replication_slots WHERE slot_name = '{name}'")
    assert active == "t"  # the standby reads through it, so the primary keeps what it has not received
    own_replica.destroy()
    assert name not in slots(primary)


def test_the_slot_of_a_run_that_died_is_dropped_and_a_live_one_kept(primary: Primary) -> None:
    exited = [sys.executable, "-c", "import os; print(os.getpid())"]
    dead = subprocess.run(exited, capture_output=True, text=True, check=True)
    orphan = f"{SLOT_PREFIX}{int(dead.stdout)}_deadbeef"
    mine = f"{SLOT_PREFIX}{os.getpid()}_cafebabe"
    for name in (orphan, mine):
        primary.psql(f"SELECT pg_create_physical_replication_slot('{name}')")
    try:
        assert orphan in drop_orphaned_slots(primary)
        assert orphan not in slots(primary) and mine in slots(primary)
    finally:
        primary.psql(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
            f"WHERE slot_name IN ('{orphan}', '{mine}')"
        )
