"""Powertools idempotency records in the stack's state table (``IDEMPOTENCY#<function>`` / the key's hash)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from autopilot.adapters.aws import client


def idempotency_store(table_name: str, function: str) -> DynamoDBPersistenceLayer:
    """One persistence layer per flow, sharing the single table under its own partition."""
    return DynamoDBPersistenceLayer(
        table_name=table_name,
        key_attr="pk",
        sort_key_attr="sk",
        expiry_attr="ttl",
        static_pk_value=f"IDEMPOTENCY#{function}",
        boto3_client=client("dynamodb"),
    )
