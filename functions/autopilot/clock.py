"""Time for decisions comes from the event or from an injected clock, never read ad hoc.

Handlers call :func:`resolve_now` with the time carried by their input; only when the input carries none
do they fall back to the module clock, which simulations and tests replace with :func:`use_clock`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


_clock: Clock = system_clock


def resolve_now(carried: datetime | None) -> datetime:
    """The time a decision is taken at: the input's own time when it has one, else the injected clock."""
    now = carried if carried is not None else _clock()
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


@contextmanager
def use_clock(clock: Clock) -> Iterator[None]:
    """Run a block with another clock (virtual time for simulations and tests)."""
    global _clock
    previous = _clock
    _clock = clock
    try:
        yield
    finally:
        _clock = previous
