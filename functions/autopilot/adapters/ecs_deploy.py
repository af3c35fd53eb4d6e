"""Force a new deployment of the sensor API, so its tasks read the new writer host on start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autopilot.errors import ObservationError

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient


class ServiceDeployer:
    def __init__(self, ecs: ECSClient) -> None:
        self._ecs = ecs

    def check_exists(self, cluster: str, service: str) -> str:
        """The service's status, ACTIVE; raises ObservationError when it is not there, or is being deleted or was
        (ECS still describes a deleted service for a while, DRAINING then INACTIVE, and refuses to deploy it)."""
        response = self._ecs.describe_services(cluster=cluster, services=[service])
        services = response.get("services", [])
        if not services:
            failures = "; ".join(f.get("reason", "?") for f in response.get("failures", []))
            raise ObservationError(
                f"ECS service {service} in cluster {cluster} not found ({failures or 'no failure reason'}); "
                "check CLUSTER_NAME and SERVICE_NAME"
            )
        status = str(services[0].get("status", "UNKNOWN"))
        if status != "ACTIVE":
            raise ObservationError(
                f"ECS service {service} in cluster {cluster} is {status}, not ACTIVE: it was deleted or is being "
                "deleted, and ECS would refuse the new deployment; recreate the service (deploy the stack) first"
            )
        return status

    def force_new_deployment(self, cluster: str, service: str) -> str:
        """Start a new deployment with the same task definition; returns the new deployment's id."""
        response = self._ecs.update_service(cluster=cluster, service=service, forceNewDeployment=True)
        deployments = response["service"].get("deployments", [])
        primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
        return str(primary.get("id", "")) if primary else ""
