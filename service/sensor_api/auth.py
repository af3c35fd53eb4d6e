"""API keys: sensor keys (stored as SHA-256), reader and admin keys (from settings).

A sensor key is `<sensor id>.<secret>` with a 256-bit random secret; the id tells which hash to
compare against, so a request costs one (cached) lookup. A fast hash suffices for random secrets
(slow hashes protect low-entropy passwords). Every comparison is constant-time.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

Role = Literal["admin", "reader", "sensor"]
KEY_HEADER = "X-API-Key"


class AuthError(Exception):
    """Authentication or authorization failed; `status` is 401 or 403."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Principal:
    role: Role
    sensor_id: uuid.UUID | None = None


@dataclass(frozen=True)
class StoredKey:
    key_hash: bytes
    active: bool


KeyLoader = Callable[[uuid.UUID], Awaitable[StoredKey | None]]


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def new_sensor_key(sensor_id: uuid.UUID) -> str:
    return f"{sensor_id}.{secrets.token_urlsafe(32)}"


def sensor_id_of(key: str) -> uuid.UUID | None:
    head, sep, secret = key.partition(".")
    if not sep or not secret:
        return None
    try:
        return uuid.UUID(head)
    except ValueError:
        return None


def matches_any(candidate: bytes, hashes: list[bytes]) -> bool:
    """Constant-time membership: compares against every hash, no early exit."""
    found = False
    for known in hashes:
        found |= hmac.compare_digest(candidate, known)
    return found


class Authenticator:
    """Resolves an API key to a principal; sensor key hashes are cached for `cache_seconds`."""

    def __init__(self, admin_keys: list[str], reader_keys: list[str], loader: KeyLoader, cache_seconds: float):
        self._admin = [hash_key(k) for k in admin_keys]
        self._reader = [hash_key(k) for k in reader_keys]
        self._loader = loader
        self._ttl = cache_seconds
        self._cache: dict[uuid.UUID, tuple[float, StoredKey]] = {}
        self._loading: dict[uuid.UUID, asyncio.Future[StoredKey | None]] = {}

    async def authenticate(self, key: str | None) -> Principal:
        if not key:
            raise AuthError(401, f"missing API key: send it in the {KEY_HEADER} header")
        digest = hash_key(key)
        sensor_id = sensor_id_of(key)
        if sensor_id is None:  # not shaped like a sensor key: an admin or reader key, or nothing
            if matches_any(digest, self._admin):
                return Principal("admin")
            if matches_any(digest, self._reader):
                return Principal("reader")
            raise AuthError(401, f"invalid API key: check the {KEY_HEADER} header")
        stored = await self._stored_key(sensor_id)
        if stored is None or not hmac.compare_digest(digest, stored.key_hash):
            raise AuthError(401, f"invalid API key: check the {KEY_HEADER} header")
        if not stored.active:
            raise AuthError(403, f"sensor {sensor_id} is deactivated: its key can no longer be used")
        return Principal("sensor", sensor_id)

    def forget(self, sensor_id: uuid.UUID) -> None:
        """Drop a cached key (after a deactivation in this worker)."""
        self._cache.pop(sensor_id, None)

    async def _stored_key(self, sensor_id: uuid.UUID) -> StoredKey | None:
        cached = self._cache.get(sensor_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        loading = self._loading.get(sensor_id)
        if loading is None:  # one lookup per sensor at a time, however many requests miss together
            loading = asyncio.ensure_future(self._load(sensor_id))
            self._loading[sensor_id] = loading
        return await asyncio.shield(loading)

    async def _load(self, sensor_id: uuid.UUID) -> StoredKey | None:
        try:
            stored = await self._loader(sensor_id)
        finally:
            del self._loading[sensor_id]
        if stored is not None and self._ttl > 0:
            if len(self._cache) >= 100_000:
                self._cache.pop(next(iter(self._cache)))
            self._cache[sensor_id] = (time.monotonic() + self._ttl, stored)
        return stored


def require_reader(principal: Principal, sensor_id: uuid.UUID | None = None) -> None:
    """Readers and admins read everything; a sensor reads only its own data."""
    if principal.role in ("admin", "reader"):
        return
    if sensor_id is not None and principal.sensor_id == sensor_id:
        return
    raise AuthError(403, "this key may not read this resource: use a reader or admin key")


def require_admin(principal: Principal) -> None:
    if principal.role != "admin":
        raise AuthError(403, "this operation needs an admin key")


def require_writer(principal: Principal, sensor_id: uuid.UUID) -> None:
    """Only the sensor's own key writes its readings."""
    if principal.role != "sensor":
        raise AuthError(403, f"readings are written with the sensor's own key, not a {principal.role} key")
    if principal.sensor_id != sensor_id:
        raise AuthError(
            403, f"this key belongs to sensor {principal.sensor_id}; it may write only that sensor's readings"
        )
