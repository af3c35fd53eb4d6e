"""What a notification is (actionable or routine) and a routine one waiting for the digest."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

NotificationKind = Literal["actionable", "routine"]


class Classification(BaseModel):
    kind: NotificationKind
    reason: str


class DigestEntry(BaseModel):
    """One routine notification waiting for the digest: when its event happened and what it said."""

    at: datetime
    event_id: str
    headline: str
    what: str
    why: str
