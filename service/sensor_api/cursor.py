"""Opaque keyset cursors: the position after the last item of a page."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime

MAX_BIGINT = 2**63 - 1  # reading ids are bigint identities, from 1


class CursorError(ValueError):
    """The cursor was not produced by this API (or was truncated)."""


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise CursorError("cursor is not valid: pass the next_cursor of the previous page unchanged") from exc


def encode_reading_cursor(ts: datetime, reading_id: int) -> str:
    return _encode(f"r|{ts.isoformat()}|{reading_id}")


def decode_reading_cursor(cursor: str) -> tuple[datetime, int]:
    parts = _decode(cursor).split("|")
    try:
        if len(parts) != 3 or parts[0] != "r":
            raise ValueError(cursor)
        ts = datetime.fromisoformat(parts[1])
        if ts.tzinfo is None:
            raise ValueError(cursor)
        reading_id = int(parts[2])
        if not 0 < reading_id <= MAX_BIGINT:
            raise ValueError(cursor)
        return ts.astimezone(UTC), reading_id
    except (ValueError, OverflowError) as exc:
        raise CursorError(
            "cursor is not valid for readings: pass the next_cursor of the previous page unchanged"
        ) from exc


def encode_sensor_cursor(sensor_id: uuid.UUID) -> str:
    return _encode(f"s|{sensor_id}")


def decode_sensor_cursor(cursor: str) -> uuid.UUID:
    kind, _, value = _decode(cursor).partition("|")
    try:
        if kind != "s":
            raise ValueError(cursor)
        return uuid.UUID(value)
    except ValueError as exc:
        raise CursorError(
            "cursor is not valid for sensors: pass the next_cursor of the previous page unchanged"
        ) from exc
