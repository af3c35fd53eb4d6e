"""Stopping the service's background tasks (the replica monitor, the writer watch, the metrics emitter).

``task.cancel()`` followed by ``with suppress(CancelledError): await task`` is the usual idiom, and it is wrong
when the caller can itself be cancelled: the CancelledError meant for the caller arrives at that same ``await``
and is swallowed with the task's. The caller then carries on with its cancellation still requested and never
delivered again. That happened to the writer watch: stopped (at shutdown) while it waited for the replica monitor
to stop, it went on polling, and the service's shutdown waited for it forever.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel `task` and wait until it has finished. A cancellation of the caller propagates (asyncio.wait does
    not raise the task's own CancelledError, so nothing else is suppressed); an error the task ended with is
    logged, not raised: the caller is stopping it."""
    if task is None:
        return
    task.cancel()
    await asyncio.wait({task})
    if not task.cancelled() and task.exception() is not None:
        log.warning("background task %s had failed", task.get_name(), exc_info=task.exception())
