"""RDS: snapshots of the primary and its replica, their events, and the promotion call itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from autopilot.adapters.cloudwatch_rds import RdsMetrics
from autopilot.errors import ObservationError
from autopilot.models.replica import (
    InstanceSnapshot,
    PendingMaintenance,
    RdsEventSnapshot,
    ReplicaObservation,
    ReplicationStatus,
)

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_rds import RDSClient
    from mypy_boto3_rds.type_defs import DBInstanceStatusInfoTypeDef

MAX_CONNECTIONS = "max_connections"


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


def _status_infos(raw: list[DBInstanceStatusInfoTypeDef] | None) -> list[ReplicationStatus]:
    return [
        ReplicationStatus(
            status_type=str(info.get("StatusType", "")),
            normal=bool(info.get("Normal", True)),
            status=str(info.get("Status", "")),
            message=str(info.get("Message", "")),
        )
        for info in raw or []
    ]


class RdsAdapter:
    def __init__(self, rds: RDSClient) -> None:
        self._rds = rds

    def describe_instance(self, instance_id: str) -> InstanceSnapshot:
        """The instance with its ``max_connections`` setting; ObservationError when it does not exist."""
        try:
            found = self._rds.describe_db_instances(DBInstanceIdentifier=instance_id)["DBInstances"]
        except self._rds.exceptions.DBInstanceNotFoundFault as exc:
            raise ObservationError(
                f"DB instance {instance_id} not found; check PRIMARY_DB_INSTANCE_ID / REPLICA_DB_INSTANCE_ID"
            ) from exc
        raw = found[0]
        groups = raw.get("DBParameterGroups") or []
        group = groups[0]["DBParameterGroupName"] if groups else None
        return InstanceSnapshot(
            instance_id=raw["DBInstanceIdentifier"],
            status=raw.get("DBInstanceStatus", "unknown"),
            instance_class=raw.get("DBInstanceClass", ""),
            storage_type=raw.get("StorageType", ""),
            allocated_gb=int(raw.get("AllocatedStorage", 0)),
            multi_az=bool(raw.get("MultiAZ", False)),
            engine=raw.get("Engine", ""),
            endpoint_address=(raw.get("Endpoint") or {}).get("Address"),
            read_replica_source=raw.get("ReadReplicaSourceDBInstanceIdentifier"),
            created_at=_utc(raw.get("InstanceCreateTime")),
            parameter_group=group,
            max_connections_setting=self.max_connections_setting(group) if group else None,
            status_infos=_status_infos(raw.get("StatusInfos")),
            arn=raw.get("DBInstanceArn"),
            maintenance_window=raw.get("PreferredMaintenanceWindow"),
        )

    def max_connections_setting(self, group: str) -> str | None:
        """``max_connections`` as the parameter group sets it (a number or a formula), None when unset."""
        paginator = self._rds.get_paginator("describe_db_parameters")
        for page in paginator.paginate(DBParameterGroupName=group):
            for parameter in page.get("Parameters", []):
                if parameter.get("ParameterName") == MAX_CONNECTIONS and parameter.get("ParameterValue"):
                    return str(parameter["ParameterValue"])
        return None

    def events(self, instance_id: str, start: datetime, end: datetime) -> list[RdsEventSnapshot]:
        """The instance's events in ``[start, end]`` (filtered here too: not every RDS honours the window)."""
        response = self._rds.describe_events(
            SourceIdentifier=instance_id, SourceType="db-instance", StartTime=start, EndTime=end
        )
        events = [
            RdsEventSnapshot(
                source_identifier=raw.get("SourceIdentifier", instance_id),
                at=raw["Date"].astimezone(UTC),
                categories=list(raw.get("EventCategories", [])),
                message=raw.get("Message", ""),
            )
            for raw in response.get("Events", [])
        ]
        return [e for e in events if start <= e.at <= end]

    def pending_maintenance(self, arn: str) -> list[PendingMaintenance]:
        """The pending maintenance actions of one resource (by ARN), across pages."""
        paginator = self._rds.get_paginator("describe_pending_maintenance_actions")
        return [
            PendingMaintenance(
                action=str(detail.get("Action", "")),
                description=str(detail.get("Description", "")),
                auto_applied_after=_utc(detail.get("AutoAppliedAfterDate")),
                forced_apply=_utc(detail.get("ForcedApplyDate")),
                current_apply=_utc(detail.get("CurrentApplyDate")),
                opt_in_status=str(detail.get("OptInStatus", "")),
            )
            for page in paginator.paginate(ResourceIdentifier=arn)
            for resource in page.get("PendingMaintenanceActions", [])
            if resource.get("ResourceIdentifier") == arn
            for detail in resource.get("PendingMaintenanceActionDetails", [])
        ]

    def promote(self, replica_id: str) -> None:
        """PromoteReadReplica (irreversible). The replica keeps its endpoint; RDS does not demote the source."""
        self._rds.promote_read_replica(DBInstanceIdentifier=replica_id)

    def stop(self, instance_id: str) -> None:
        """StopDBInstance: fences an old primary (RDS refuses unless it is ``available``; it restarts by itself
        after 7 days)."""
        self._rds.stop_db_instance(DBInstanceIdentifier=instance_id)


def observe_pair(
    rds_client: RDSClient,
    cloudwatch: CloudWatchClient,
    primary_id: str,
    replica_id: str,
    now: datetime,
    window: timedelta,
    trigger_event: RdsEventSnapshot | None = None,
) -> ReplicaObservation:
    """Describe both instances, the primary's events and both metrics; any API error is kept in ``errors``
    (the checks then do nothing rather than guess)."""
    obs = ReplicaObservation(
        now=now, window_start=now - window, primary_id=primary_id, replica_id=replica_id, trigger_event=trigger_event
    )
    try:
        rds = RdsAdapter(rds_client)
        obs.primary = rds.describe_instance(primary_id)
        obs.replica = rds.describe_instance(replica_id)
        obs.primary_events = rds.events(primary_id, obs.window_start, now)
        if obs.primary.arn:
            obs.primary_maintenance = rds.pending_maintenance(obs.primary.arn)
        obs.primary_connections, obs.replica_lag = RdsMetrics(cloudwatch).pair_window(
            primary_id, replica_id, obs.window_start, now
        )
    except ObservationError as exc:
        obs.errors.append(str(exc))
    except (ClientError, BotoCoreError) as exc:
        obs.errors.append(f"AWS API error after retries: {exc}")
    return obs
