"""Why an ops request was not carried out; the API maps each to its HTTP status."""

from __future__ import annotations

from autopilot.errors import AutopilotError


class OpsNotFoundError(AutopilotError):
    """404: no such approval (or resource)."""


class OpsConflictError(AutopilotError):
    """409: the request contradicts the current state (already answered, expired, token reused)."""


class OpsRefusedError(AutopilotError):
    """422: well-formed but not allowed (unknown class, above the maximum)."""
