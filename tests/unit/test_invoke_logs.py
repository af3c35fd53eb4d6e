"""``autopilot invoke`` sends the functions' logs to whatever stderr is when they write, even after a test runner
closed the capture it had put there."""

from __future__ import annotations

import io
import logging
import sys

import pytest
from autopilot.observability import logger
from autopilot_cli.invoke import logs_to_stderr


def test_logs_go_to_the_stderr_of_the_moment_and_a_closed_capture_breaks_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    monkeypatch.setattr(handler, "stream", handler.stream)  # put the logger's stream back after the test
    closed = io.TextIOWrapper(io.BytesIO())  # a file-like capture: flushing it once closed raises
    monkeypatch.setattr(sys, "stderr", closed)
    logs_to_stderr()
    closed.close()  # what a runner does with its capture when its invocation ends
    logs_to_stderr()  # the next invocation: no flush of the closed capture
    handler.flush()
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)
    logger.info("after the capture closed")
    assert "after the capture closed" in later.getvalue()
