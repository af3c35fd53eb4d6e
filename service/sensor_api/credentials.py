"""Where the database user and password come from: the settings, or an AWS Secrets Manager secret that
may be rotated while the service runs.

With a secret, every new connection uses the credentials last read from it. When the database refuses
them (the password was rotated), the secret is read again and the connection retried once, so the
service follows a rotation without a restart. Connections already open are not affected by a rotation
(PostgreSQL checks the password only at log-in).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

# What PostgreSQL answers to wrong credentials (InvalidPasswordError is a subclass: SQLSTATE 28P01 / 28000).
AUTH_ERRORS = (asyncpg.exceptions.InvalidAuthorizationSpecificationError,)


class CredentialError(RuntimeError):
    """The secret could not be read or does not hold a username and password."""


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = ""

    def __repr__(self) -> str:  # never log a password
        return f"Credentials(user={self.user!r})"


Fetch = Callable[[], Credentials]


def parse_secret(secret_id: str, text: str) -> Credentials:
    """The `username` and `password` of a database secret's JSON (as RDS and rotation functions write it)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CredentialError(f"secret {secret_id} is not JSON: store {{'username': ..., 'password': ...}}") from exc
    fields = ("username", "password")
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) and data[k] for k in fields):
        raise CredentialError(f"secret {secret_id} needs non-empty string fields 'username' and 'password'")
    return Credentials(data["username"], data["password"])


def secrets_manager_fetch(secret_id: str, client: Any) -> Fetch:
    """Read the secret's current version with a boto3 Secrets Manager client (secretsmanager:GetSecretValue)."""

    def fetch() -> Credentials:
        try:
            response = client.get_secret_value(SecretId=secret_id)
        except Exception as exc:
            raise CredentialError(
                f"cannot read secret {secret_id} ({type(exc).__name__}: {exc}): "
                "check DB_SECRET_ARN and the task role's secretsmanager:GetSecretValue"
            ) from exc
        return parse_secret(secret_id, response.get("SecretString") or "")

    return fetch


class SecretCredentials:
    """Credentials read from a secret, re-read on demand at most once per `min_refresh_seconds`."""

    def __init__(self, fetch: Fetch, min_refresh_seconds: float = 2.0) -> None:
        self._fetch = fetch
        self._min_refresh = min_refresh_seconds
        self._current: Credentials | None = None
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()
        self.reads = 0

    async def current(self) -> Credentials:
        if self._current is None:
            return await self.refresh()
        return self._current

    async def refresh(self) -> Credentials:
        """Read the secret again (concurrent callers share one read; a read just made is reused)."""
        async with self._lock:
            if self._current is None or time.monotonic() - self._read_at >= self._min_refresh:
                self._current = await asyncio.to_thread(self._fetch)
                self._read_at = time.monotonic()
                self.reads += 1
            return self._current


Connect = Callable[..., Awaitable[Any]]


def connect_with(source: SecretCredentials) -> Connect:
    """An asyncpg pool `connect` callback: log in with the secret's credentials; on an authentication
    failure re-read the secret and try once more with what it holds now."""

    async def connect(*args: Any, **kwargs: Any) -> Any:
        used = await source.current()
        try:
            return await asyncpg.connect(*args, **kwargs, user=used.user, password=used.password)
        except AUTH_ERRORS:
            fresh = await source.refresh()
            if fresh == used:
                raise
            log.info("database credentials changed in the secret: reconnecting with them")
            return await asyncpg.connect(*args, **kwargs, user=fresh.user, password=fresh.password)

    return connect


def secret_source(secret_id: str | None, region: str | None = None) -> SecretCredentials | None:
    """The Secrets Manager source for DB_SECRET_ARN, or None when the settings hold the password."""
    if not secret_id:
        return None
    import boto3  # only a service that reads a secret pays for importing it

    return SecretCredentials(secrets_manager_fetch(secret_id, boto3.client("secretsmanager", region_name=region)))
