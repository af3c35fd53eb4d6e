"""Request and response bodies (the OpenAPI document is generated from these)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

NO_CONTROL_CHARS = r"^[^\x00-\x1f\x7f]*$"  # PostgreSQL text cannot hold NUL; names need no control characters


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SensorCreate(_Strict):
    name: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL_CHARS, description="Human-readable name")
    kind: str = Field(
        default="", max_length=100, pattern=NO_CONTROL_CHARS, description="Free-form type, e.g. 'temperature'"
    )


class Sensor(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    active: bool
    created_at: datetime
    deactivated_at: datetime | None = None


class SensorCreated(Sensor):
    api_key: str = Field(description="The sensor's key. Shown once: only its hash is stored.")


class SensorPage(BaseModel):
    items: list[Sensor]
    next_cursor: str | None = None


class ReadingIn(_Strict):
    """Strict types: `ts` is an RFC 3339 string (no epoch numbers), `value` a JSON number (no booleans or
    numeric strings): a sensor that sends the wrong type has a bug worth hearing about."""

    ts: AwareDatetime = Field(strict=True, description="When the value was measured, with a timezone (RFC 3339)")
    value: float = Field(strict=True, allow_inf_nan=False, description="A finite JSON number")


class ReadingBatchIn(_Strict):
    readings: list[ReadingIn] = Field(min_length=1)


class IngestAck(BaseModel):
    accepted: int = Field(description="Readings committed to the database")


class Reading(BaseModel):
    ts: datetime
    value: float


class ReadingPage(BaseModel):
    sensor_id: uuid.UUID
    items: list[Reading]
    next_cursor: str | None = None


class Summary(BaseModel):
    sensor_id: uuid.UUID
    start: datetime
    end: datetime
    count: int
    min: float | None
    max: float | None
    mean: float | None
    last: Reading | None


class ErrorBody(BaseModel):
    detail: str = Field(description="What was wrong and what to do")
    errors: list[dict[str, object]] | None = None
