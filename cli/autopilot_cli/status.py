"""``autopilot status``: what the scaling guide's monitoring commands look at, in one view.

Running vs desired tasks, the scalable target, active floor leases, alarms in ALARM and the latest decisions
(newest first, whatever their age: a status must not depend on the reader's wall clock).
"""

from __future__ import annotations

from typing import Any

from autopilot.adapters.autoscaling import describe_target
from autopilot.adapters.clients import AwsClients, aws_clients
from autopilot.adapters.ecs_service import describe_service
from autopilot.adapters.state_table import StateTable, utc_key
from autopilot.models.records import AuditRecord
from autopilot.settings.common import CommonSettings
from autopilot.settings.replica import ReplicaSettings
from rich.console import Group
from rich.table import Table

LATEST_DECISIONS = 10


def collect_current() -> dict[str, Any]:
    """The status of the stack boto3 points at now, with the settings of the environment."""
    settings = CommonSettings()
    return collect(aws_clients(settings.aws_region), settings)


def collect(clients: AwsClients, settings: CommonSettings) -> dict[str, Any]:
    table = StateTable(clients.table(settings.state_table_name))
    service = describe_service(clients.ecs, settings.cluster_name, settings.service_name)
    target = describe_target(clients.autoscaling, settings.scalable_resource_id)
    alarms = clients.cloudwatch.describe_alarms(StateValue="ALARM").get("MetricAlarms", [])
    return {
        "service": service.model_dump(mode="json"),
        "target": target.model_dump(mode="json"),
        "leases": [lease.model_dump(mode="json") for lease in table.list_leases()],
        "alarms_in_alarm": [a["AlarmName"] for a in alarms],
        "recent_decisions": [r.model_dump(mode="json") for r in latest_decisions(table, target.resource_id)],
    }


def latest_decisions(table: StateTable, service_resource: str) -> list[AuditRecord]:
    """The newest decisions of the workflow, whatever they were about: the service's scalable target (scaling,
    restores, "no action" answers) and the database (replica checks and promotions are kept under the replica)."""
    replica = ReplicaSettings()
    resources = dict.fromkeys([service_resource, replica.replica_db_instance_id, replica.primary_db_instance_id])
    records = [r for resource in resources for r in table.latest_records(resource, LATEST_DECISIONS)]
    records.sort(key=lambda r: (utc_key(r.at), r.record_id), reverse=True)
    return records[:LATEST_DECISIONS]


def render(status: dict[str, Any]) -> Group:
    svc, target = status["service"], status["target"]
    overview = Table(title=f"{svc['cluster']} / {svc['service']}", show_header=False)
    overview.add_row("tasks", f"running {svc['running']}, desired {svc['desired']}, pending {svc['pending']}")
    overview.add_row("scalable target", f"min {target['min']}, max {target['max']}")
    overview.add_row("deployment", f"{svc['rollout_state']}{' (rolling back)' if svc['rolling_back'] else ''}")
    overview.add_row("alarms in ALARM", ", ".join(status["alarms_in_alarm"]) or "none")
    leases = Table(title="Floor leases")
    for column in ("resource", "original", "leased", "expires", "alarm"):
        leases.add_column(column)
    for lease in status["leases"]:
        leases.add_row(
            lease["resource_id"],
            str(lease["original_min"]),
            str(lease["leased_min"]),
            lease["expires_at"],
            lease["alarm_name"],
        )
    decisions = Table(title="Latest decisions (newest first)")
    for column in ("at", "function", "action", "taken", "reason"):
        decisions.add_column(column, overflow="fold")
    for record in status["recent_decisions"]:
        decisions.add_row(record["at"], record["function"], record["action"], str(record["taken"]), record["reason"])
    return Group(overview, leases, decisions)
