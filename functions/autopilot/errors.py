"""Errors the handlers raise on purpose. Each message says what was wrong and what to do."""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails


class AutopilotError(Exception):
    """Base class for errors the control plane reports instead of acting."""


class InvalidEventError(AutopilotError):
    """The input event does not have a shape we accept; nothing was changed."""

    @classmethod
    def from_validation(cls, what: str, exc: ValidationError) -> InvalidEventError:
        def where(err: ErrorDetails) -> str:
            return ".".join(str(part) for part in err["loc"]) or "(root)"

        errors = exc.errors()
        missing = [where(err) for err in errors if err["type"] == "missing"]
        problems = [f"{where(err)}: {err['msg']}" for err in errors if err["type"] != "missing"][:5]
        detail = "; ".join(([f"{', '.join(missing)}: Field required"] if missing else []) + problems)
        return cls(f"invalid {what}: {detail}. Nothing was changed; fix the event and send it again.")


class ObservationError(AutopilotError):
    """The state of a resource could not be observed; the control plane does nothing rather than guess."""


class ConfigurationError(AutopilotError):
    """A setting is missing or inconsistent; the message names it."""
