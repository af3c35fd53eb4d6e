"""Database credentials from a Secrets Manager secret (moto), and a real rotation on the local PostgreSQL:
the role's password changes, the secret follows, the service reconnects without a restart."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import asyncpg
import boto3
import pytest
from moto import mock_aws
from sensor_api.credentials import (
    CredentialError,
    Credentials,
    SecretCredentials,
    parse_secret,
    secret_source,
    secrets_manager_fetch,
)
from sensor_api.dev.localpg import Primary, ensure_password_login
from sensor_api.migrate import apply_migrations
from svc_support import make_settings, now_iso, poll_until, register, running_client, stored_values

pytestmark = [pytest.mark.service, pytest.mark.timeout(60)]
REGION = "eu-west-1"
ROLE = "sensor_rotation_test"  # a dedicated login role; pg_hba gets a password rule for it alone


@pytest.fixture
def secrets_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        yield boto3.client("secretsmanager", region_name=REGION)


def put_credentials(client: Any, secret_id: str, user: str, password: str) -> None:
    client.put_secret_value(SecretId=secret_id, SecretString=json.dumps({"username": user, "password": password}))


async def test_the_secret_is_read_once_then_again_on_refresh(secrets_manager: Any) -> None:
    arn = secrets_manager.create_secret(Name="db", SecretString=json.dumps({"username": "u", "password": "p1"}))["ARN"]
    source = secret_source(arn, REGION)
    assert source is not None
    assert await source.current() == Credentials("u", "p1")
    put_credentials(secrets_manager, arn, "u", "p2")
    assert await source.current() == Credentials("u", "p1")  # cached until asked to refresh
    source = SecretCredentials(secrets_manager_fetch(arn, secrets_manager), min_refresh_seconds=0)
    await source.current()
    put_credentials(secrets_manager, arn, "u", "p3")
    assert await source.refresh() == Credentials("u", "p3")
    assert source.reads == 2


async def test_a_missing_or_malformed_secret_says_what_to_fix(secrets_manager: Any) -> None:
    source = SecretCredentials(
        secrets_manager_fetch("arn:aws:secretsmanager:eu-west-1:123456789012:secret:nope", secrets_manager)
    )
    with pytest.raises(CredentialError, match="GetSecretValue"):
        await source.current()
    with pytest.raises(CredentialError, match="not JSON"):
        parse_secret("db", "hunter2")
    with pytest.raises(CredentialError, match="'username' and 'password'"):
        parse_secret("db", json.dumps({"username": "u", "password": ""}))
    assert "p1" not in repr(Credentials("u", "p1"))
    assert secret_source(None) is None


@pytest.fixture
def password_role(primary: Primary, primary_dsn: str, database: str) -> Iterator[str]:
    """A login role that must give its password on 127.0.0.1, allowed to read and write the tables."""
    ensure_password_login(primary, ROLE)
    password = secrets.token_urlsafe(16)
    primary.psql(f"DROP ROLE IF EXISTS {ROLE}")
    primary.psql(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{password}' IN ROLE pg_read_all_data, pg_write_all_data")
    yield password
    primary.psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{ROLE}'")
    primary.psql(f"DROP ROLE IF EXISTS {ROLE}")


async def migrated(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await apply_migrations(conn)
    finally:
        await conn.close()


async def test_a_rotated_password_is_picked_up_from_the_secret_without_a_restart(
    secrets_manager: Any, password_role: str, primary: Primary, primary_dsn: str, database: str
) -> None:
    await migrated(primary_dsn)
    with pytest.raises(asyncpg.exceptions.InvalidPasswordError):  # the rule holds: a password is needed
        await asyncpg.connect(host="127.0.0.1", user=ROLE, password="wrong", database=database)
    arn = secrets_manager.create_secret(
        Name="db-rotation", SecretString=json.dumps({"username": ROLE, "password": password_role})
    )["ARN"]
    settings = make_settings(
        "",
        database_url=None,
        db_host="127.0.0.1",
        db_name=database,
        db_user="unused",
        db_secret_arn=arn,
        aws_region=REGION,
        migrate_on_start=False,
        auth_cache_seconds=0,
    )
    async with running_client(settings) as client:
        sensor, key = await register(client, "rotation")
        first = await client.post(f"/v1/sensors/{sensor}/readings", json={"ts": now_iso(), "value": 1.0}, headers=key)
        assert first.status_code == 201

        rotated = secrets.token_urlsafe(16)  # what a rotation function does: the role first, then the secret
        primary.psql(f"ALTER ROLE {ROLE} PASSWORD '{rotated}'")
        put_credentials(secrets_manager, arn, ROLE, rotated)
        primary.psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{ROLE}'")

        async def writes_again() -> bool:
            body = {"ts": now_iso(), "value": 2.0}
            response = await client.post(f"/v1/sensors/{sensor}/readings", json=body, headers=key)
            assert response.status_code in (201, 503), response.text
            return response.status_code == 201

        await poll_until(writes_again, 15, "a write with the rotated password, read from the secret")
    assert await stored_values(primary_dsn, sensor) == [1.0, 2.0]
