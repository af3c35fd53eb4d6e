"""CloudWatch writes timestamps as ``2019-10-02T17:04:40.989+0000``; pydantic wants ``+00:00``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

_COMPACT_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return _COMPACT_OFFSET.sub(r"\1:\2", value.strip())
    return value


AwsTimestamp = Annotated[datetime, BeforeValidator(_normalise)]


def parse_time(value: str) -> datetime:
    """An AWS timestamp string (``Z``, ``+0000`` or ``+00:00``) as a datetime."""
    return datetime.fromisoformat(_normalise(value).replace("Z", "+00:00"))
