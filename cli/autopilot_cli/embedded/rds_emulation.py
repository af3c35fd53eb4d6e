"""Two RDS behaviours the embedded AWS needs and moto 5.2.5 lacks (an emulator seam, not product code).

- PromoteReadReplica: in RDS the replica reboots and, once the promotion is done, is ``available`` with no
  replication source. moto only clears a flag (the instance still names its source), so a promotion would never
  be seen to finish. Here it finishes at once, or, while :func:`hold_promotions` is in effect, the replica stays
  ``modifying`` and still names its source until :func:`finish_promotions` (the minutes RDS takes).
- DescribePendingMaintenanceActions: not implemented by moto. It answers the actions added with
  :func:`add_pending_maintenance` (none by default).

:func:`install` patches moto's RDS backend and responses; it is idempotent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult
from moto.rds.models import DBInstance, RDSBackend, rds_backends
from moto.rds.responses import RDSResponse

_HOLD = "_autopilot_hold_promotions"
_PROMOTING = "_autopilot_promoting"
_PENDING = "_autopilot_pending_maintenance"
_ORIGINAL = RDSBackend.promote_read_replica


def _backend(region: str) -> RDSBackend:
    return rds_backends[DEFAULT_ACCOUNT_ID][region]


def _promoting(backend: RDSBackend) -> set[str]:
    if not hasattr(backend, _PROMOTING):
        setattr(backend, _PROMOTING, set())
    found: set[str] = getattr(backend, _PROMOTING)
    return found


def _pending(backend: RDSBackend) -> dict[str, list[dict[str, Any]]]:
    if not hasattr(backend, _PENDING):
        setattr(backend, _PENDING, {})
    found: dict[str, list[dict[str, Any]]] = getattr(backend, _PENDING)
    return found


def _detach(backend: RDSBackend, replica: DBInstance) -> None:
    source_id = replica.source_db_instance_identifier
    source = backend.databases.get(str(source_id).rsplit(":", 1)[-1]) if source_id else None
    if source is not None and replica.db_instance_identifier in source.replicas:
        source.remove_replica(replica)
    replica.source_db_instance_identifier = None
    replica.status = "available"


def _promote(self: RDSBackend, db_kwargs: dict[str, Any]) -> DBInstance:
    replica = self.databases[db_kwargs["db_instance_identifier"]]
    was_replica = replica.is_replica
    promoted: DBInstance = _ORIGINAL(self, db_kwargs)
    if was_replica and getattr(self, _HOLD, False):
        promoted.status = "modifying"  # RDS reboots the replica; it still names its source until done
        _promoting(self).add(promoted.db_instance_identifier)
    elif was_replica:
        _detach(self, promoted)
    return promoted


def hold_promotions(region: str) -> None:
    """From now on a promotion stays unfinished (``modifying``, still replicating) until finish_promotions."""
    setattr(_backend(region), _HOLD, True)


def finish_promotions(region: str) -> list[str]:
    """Finish the promotions held so far, as RDS does minutes later; returns the instances finished."""
    backend = _backend(region)
    setattr(backend, _HOLD, False)
    finished = sorted(_promoting(backend))
    for instance_id in finished:
        _detach(backend, backend.databases[instance_id])
    _promoting(backend).clear()
    return finished


def add_pending_maintenance(
    region: str,
    resource_arn: str,
    action: str,
    description: str = "",
    **dates: datetime | str,
) -> None:
    """One pending maintenance action on a resource; ``dates``: AutoAppliedAfterDate, ForcedApplyDate,
    CurrentApplyDate (datetimes) and OptInStatus, as DescribePendingMaintenanceActions names them."""
    _pending(_backend(region)).setdefault(resource_arn, []).append(
        {"Action": action, "Description": description, **dates}
    )


def _describe_pending(self: RDSResponse) -> ActionResult:
    pending = _pending(self.backend)
    wanted = {self.params["ResourceIdentifier"]} if self.params.get("ResourceIdentifier") else set(pending)
    for given in self.params.get("Filters", []):
        if given.get("Name") == "db-instance-id":
            wanted &= {arn for arn in pending if any(arn == v or arn.endswith(f":db:{v}") for v in given["Values"])}
    found = [
        {"ResourceIdentifier": arn, "PendingMaintenanceActionDetails": actions}
        for arn, actions in sorted(pending.items())
        if arn in wanted
    ]
    return ActionResult({"PendingMaintenanceActions": found})


def install() -> None:
    RDSBackend.promote_read_replica = _promote  # type: ignore[method-assign]
    RDSResponse.describe_pending_maintenance_actions = _describe_pending  # type: ignore[attr-defined]
