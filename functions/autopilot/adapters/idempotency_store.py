"""Powertools idempotency records in the stack's state table (``IDEMPOTENCY#<function>`` / the key's hash)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def idempotency_store(dynamodb: DynamoDBClient, table_name: str, function: str) -> DynamoDBPersistenceLayer:
    """One persistence layer per flow, sharing the single table under its own partition."""
    return DynamoDBPersistenceLayer(
        table_name=table_name,
        key_attr="pk",
        sort_key_attr="sk",
        expiry_attr="ttl",
        static_pk_value=f"IDEMPOTENCY#{function}",
        boto3_client=dynamodb,
    )
