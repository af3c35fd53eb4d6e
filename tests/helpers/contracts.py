"""The wiring contract between the state machine and the template: its DefinitionSubstitutions keys."""

from __future__ import annotations

SUBSTITUTION_KEYS = frozenset(
    {
        "AssessFunctionArn",
        "EmergencyScaleFunctionArn",
        "RestoreCapacityFunctionArn",
        "ReplicaCheckFunctionArn",
        "PromoteReplicaFunctionArn",
        "NotifyFunctionArn",
        "OpsApiFunctionArn",
        "ApprovalTimeoutSeconds",
    }
)
