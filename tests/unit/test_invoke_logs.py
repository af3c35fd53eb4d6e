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
    imported_with = io.TextIOWrapper(io.BytesIO())  # the stderr the logger was made with, closed since
    imported_with.close()
    monkeypatch.setattr(handler, "stream", imported_with)  # (monkeypatch puts the logger's own back afterwards)
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
