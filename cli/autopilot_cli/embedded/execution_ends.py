"""A signal for the end of an execution of the embedded Step Functions, so that a waiter wakes when it happens.

moto runs each execution in a thread of its own and reflects its end into the execution's status when the program
stops. :func:`install` wraps that step so that it also wakes everyone waiting in :func:`wait_for_an_end`. A waiter
still polls DescribeExecution (the only thing it can do against an embedded server in another process): the signal
only shortens each wait, from its whole ``poll`` period to the moment an execution ends.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

_ended = threading.Condition()
_ends = [0]  # executions ended in this process
_original = BaseExecutionWorkerCommunication.terminated


def _terminated(self: Any) -> None:
    try:
        _original(self)
    finally:
        with _ended:
            _ends[0] += 1
            _ended.notify_all()


def install() -> None:
    """Wrap moto's end-of-execution step (idempotent; for the whole process)."""
    BaseExecutionWorkerCommunication.terminated = _terminated  # type: ignore[method-assign]


def ends_so_far() -> int:
    """How many executions have ended in this process: pass it to :func:`wait_for_an_end`."""
    with _ended:
        return _ends[0]


def wait_for_an_end(seen: int, timeout: float) -> None:
    """Return when an execution ends after ``seen`` was read (at once if one has), or after ``timeout`` s."""
    with _ended:
        _ended.wait_for(lambda: _ends[0] != seen, timeout)
