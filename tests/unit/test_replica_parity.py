"""Rule 6: config parity (class, storage, max_connections), and the max_connections formula."""

from __future__ import annotations

import pytest
from autopilot.logic.replica_parity import (
    class_memory_gib,
    class_parity,
    config_parity,
    connections_parity,
    effective_max_connections,
    storage_parity,
)

from tests.unit.test_replica_snapshots import PRIMARY, REPLICA, instance


@pytest.mark.parametrize(
    ("instance_class", "gib"),
    [
        ("db.t3.micro", 1),
        ("db.t3.medium", 4),
        ("db.t4g.large", 8),
        ("db.m5.large", 8),
        ("db.m6g.xlarge", 16),
        ("db.m7g.4xlarge", 64),
        ("db.r6g.large", 16),
        ("db.r5.2xlarge", 64),
        ("db.x2g.xlarge", 64),
        ("db.z1d.large", None),
        ("cache.t3.medium", None),
    ],
)
def test_class_memory(instance_class: str, gib: int | None) -> None:
    assert class_memory_gib(instance_class) == gib


def test_default_max_connections_of_a_t3_medium_follows_the_rds_formula() -> None:
    # LEAST(4 GiB / 9531392, 5000) = 450 (the nominal memory; RDS reserves some, so the real value is lower)
    assert effective_max_connections(instance(PRIMARY)) == 450


def test_the_formula_is_capped_at_5000() -> None:
    assert effective_max_connections(instance(PRIMARY, instance_class="db.r5.24xlarge")) == 5000


def test_a_number_in_the_parameter_group_wins() -> None:
    assert effective_max_connections(instance(PRIMARY, max_connections_setting="2500")) == 2500


def test_the_formula_in_the_parameter_group_is_evaluated_with_its_divisor() -> None:
    setting = "LEAST({DBInstanceClassMemory/4765696},5000)"
    assert effective_max_connections(instance(PRIMARY, max_connections_setting=setting)) == 901


def test_an_unparseable_setting_is_unknown() -> None:
    assert effective_max_connections(instance(PRIMARY, max_connections_setting="{SomethingElse}")) is None


def test_same_class_storage_and_defaults_pass_all_three() -> None:
    results = config_parity(instance(PRIMARY), instance(REPLICA))
    assert [r.outcome for r in results] == ["pass", "pass", "pass"]
    assert [r.rule for r in results] == ["parity.class", "parity.storage", "parity.max_connections"]


def test_a_smaller_replica_class_fails() -> None:
    result = class_parity(instance(PRIMARY, instance_class="db.m5.xlarge"), instance(REPLICA))
    assert result.outcome == "fail"
    assert "db.t3.medium (4 GiB) is smaller" in result.reason


def test_a_bigger_replica_class_passes() -> None:
    assert class_parity(instance(PRIMARY), instance(REPLICA, instance_class="db.r6g.large")).outcome == "pass"


def test_an_unknown_class_is_unknown_not_pass() -> None:
    assert class_parity(instance(PRIMARY), instance(REPLICA, instance_class="db.z1d.large")).outcome == "unknown"


@pytest.mark.parametrize(
    ("primary", "replica", "outcome"),
    [
        (("gp3", 100), ("gp3", 100), "pass"),
        (("gp2", 100), ("gp3", 100), "pass"),
        (("io1", 100), ("gp3", 100), "fail"),
        (("gp3", 100), ("gp3", 50), "fail"),
        (("gp3", 100), ("magnetic-ish", 100), "unknown"),
    ],
)
def test_storage_parity(primary: tuple[str, int], replica: tuple[str, int], outcome: str) -> None:
    p = instance(PRIMARY, storage_type=primary[0], allocated_gb=primary[1])
    r = instance(REPLICA, storage_type=replica[0], allocated_gb=replica[1])
    assert storage_parity(p, r).outcome == outcome


def test_replica_with_fewer_connections_than_the_primary_fails() -> None:
    result = connections_parity(instance(PRIMARY, max_connections_setting="500"), instance(REPLICA))
    assert result.outcome == "fail"
    assert "450 < primary's 500" in result.reason


def test_connections_unknown_on_one_side_is_unknown() -> None:
    result = connections_parity(instance(PRIMARY), instance(REPLICA, instance_class="db.z1d.large"))
    assert result.outcome == "unknown"
    assert "the replica" in result.reason
