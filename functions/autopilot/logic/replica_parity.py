"""Config parity between primary and replica: instance class memory, storage type, ``max_connections``.

RDS PostgreSQL's default is ``max_connections = LEAST({DBInstanceClassMemory/9531392}, 5000)``. The class
memory here is the nominal memory of the class; RDS subtracts a reserve for the OS, so the real default is
a little lower (about 410-450 on a 4 GiB db.t3.medium). Primary and replica are computed the same way, so
the comparison holds even where the absolute figure is an estimate.
"""

from __future__ import annotations

import re

from autopilot.models.replica import InstanceSnapshot, RuleResult

DEFAULT_MAX_CONNECTIONS_DIVISOR = 9531392
MAX_CONNECTIONS_CAP = 5000
GIB = 1024**3

# GiB of memory per size, by family letter (burstable t, general purpose m, memory optimised r/x).
_T_SIZES = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
_PER_XLARGE = {"m": 16, "r": 32, "x": 64}
_CLASS = re.compile(r"^db\.(?P<family>[a-z]+)\d+[a-z]*\.(?P<size>[a-z0-9]+)$")
_FORMULA = re.compile(r"\{?\s*DBInstanceClassMemory\s*/\s*(?P<divisor>\d+)\s*\}?")

# Higher is at least as capable; gp3 is not below gp2 (baseline 3,000 IOPS).
STORAGE_RANK = {"standard": 0, "gp2": 1, "gp3": 2, "io1": 3, "io2": 4}


def class_memory_gib(instance_class: str) -> int | None:
    """Nominal memory of an RDS instance class, or None for a class this table does not know."""
    match = _CLASS.match(instance_class)
    if match is None:
        return None
    family, size = match["family"], match["size"]
    if family.startswith("t"):
        return _T_SIZES.get(size)
    per_xlarge = _PER_XLARGE.get(family[0])
    if per_xlarge is None:
        return None
    if size == "large":
        return per_xlarge // 2
    if size == "xlarge":
        return per_xlarge
    multiple = re.fullmatch(r"(\d+)xlarge", size)
    return per_xlarge * int(multiple[1]) if multiple else None


def effective_max_connections(instance: InstanceSnapshot) -> int | None:
    """``max_connections`` from the parameter group (a number or the DBInstanceClassMemory formula), else the
    RDS default formula; None when it cannot be worked out."""
    setting = (instance.max_connections_setting or "").strip()
    if setting.isdigit():
        return int(setting)
    memory = class_memory_gib(instance.instance_class)
    formula = _FORMULA.search(setting)
    if setting and formula is None:
        return None
    divisor = int(formula["divisor"]) if formula else DEFAULT_MAX_CONNECTIONS_DIVISOR
    if memory is None or divisor == 0:
        return None
    return min(memory * GIB // divisor, MAX_CONNECTIONS_CAP)


def class_parity(primary: InstanceSnapshot, replica: InstanceSnapshot) -> RuleResult:
    if primary.instance_class == replica.instance_class:
        return RuleResult(rule="parity.class", outcome="pass", reason=f"both are {replica.instance_class}")
    p_mem, r_mem = class_memory_gib(primary.instance_class), class_memory_gib(replica.instance_class)
    if p_mem is None or r_mem is None:
        return RuleResult(
            rule="parity.class",
            outcome="unknown",
            reason=f"cannot compare classes {replica.instance_class} (replica) and {primary.instance_class} "
            "(primary): memory of one is unknown; check by hand that the replica is not smaller",
        )
    if r_mem < p_mem:
        return RuleResult(
            rule="parity.class",
            outcome="fail",
            reason=f"replica class {replica.instance_class} ({r_mem} GiB) is smaller than the primary's "
            f"{primary.instance_class} ({p_mem} GiB): it would not carry the write load",
        )
    return RuleResult(
        rule="parity.class",
        outcome="pass",
        reason=f"replica {replica.instance_class} ({r_mem} GiB) >= primary {primary.instance_class} ({p_mem} GiB)",
    )


def storage_parity(primary: InstanceSnapshot, replica: InstanceSnapshot) -> RuleResult:
    p_rank, r_rank = STORAGE_RANK.get(primary.storage_type), STORAGE_RANK.get(replica.storage_type)
    if p_rank is None or r_rank is None:
        return RuleResult(
            rule="parity.storage",
            outcome="unknown",
            reason=f"unknown storage type {replica.storage_type!r} or {primary.storage_type!r}; compare by hand",
        )
    if r_rank < p_rank or replica.allocated_gb < primary.allocated_gb:
        return RuleResult(
            rule="parity.storage",
            outcome="fail",
            reason=f"replica storage {replica.storage_type} {replica.allocated_gb} GB is below the primary's "
            f"{primary.storage_type} {primary.allocated_gb} GB",
        )
    return RuleResult(
        rule="parity.storage",
        outcome="pass",
        reason=f"replica {replica.storage_type} {replica.allocated_gb} GB >= primary {primary.storage_type} "
        f"{primary.allocated_gb} GB",
    )


def connections_parity(primary: InstanceSnapshot, replica: InstanceSnapshot) -> RuleResult:
    p_max, r_max = effective_max_connections(primary), effective_max_connections(replica)
    if p_max is None or r_max is None:
        return RuleResult(
            rule="parity.max_connections",
            outcome="unknown",
            reason="cannot work out max_connections of "
            + ("the primary" if p_max is None else "the replica")
            + "; check the parameter groups by hand",
        )
    if r_max < p_max:
        return RuleResult(
            rule="parity.max_connections",
            outcome="fail",
            reason=f"replica max_connections {r_max} < primary's {p_max}: a hot standby with fewer connections "
            "than its primary does not start, and the promoted writer would refuse the service's pools",
        )
    return RuleResult(
        rule="parity.max_connections", outcome="pass", reason=f"replica max_connections {r_max} >= primary's {p_max}"
    )


def config_parity(primary: InstanceSnapshot, replica: InstanceSnapshot) -> list[RuleResult]:
    """Rule 6: the replica's class, storage and max_connections are at least the primary's."""
    return [class_parity(primary, replica), storage_parity(primary, replica), connections_parity(primary, replica)]
