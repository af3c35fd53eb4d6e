"""Structured JSON logs on stdout (one object per line, ready for CloudWatch Logs)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; anything else was passed through `extra=` and is logged as a field.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message and the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class RawFormatter(logging.Formatter):
    """The message as it is: for lines that are already JSON (CloudWatch Embedded Metric Format)."""

    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


METRICS_LOGGER = "sensor_api.emf"


def setup_logging(level: str = "INFO") -> None:
    """Route the root logger, uvicorn's loggers and the metrics logger to stdout."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    access = logging.getLogger("uvicorn.access")
    if access.handlers:  # access log enabled: same JSON format; `--no-access-log` leaves it without handlers
        access.handlers = [handler]
    metrics_handler = logging.StreamHandler(sys.stdout)
    metrics_handler.setFormatter(RawFormatter())
    metrics = logging.getLogger(METRICS_LOGGER)
    metrics.handlers = [metrics_handler]
    metrics.setLevel(logging.INFO)
    metrics.propagate = False
