"""Run one function's handler in-process, with its environment from template.yaml and a LambdaContext."""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import sys
import warnings
from pathlib import Path
from typing import Any

from autopilot.settings.cache import clear_all

from autopilot_cli.embedded.server import patched_environ
from autopilot_cli.lambda_context import LocalLambdaContext
from autopilot_cli.template_model import function_handler, function_settings, load_template


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is at the time (it is replaced under test runners)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        stream = sys.stderr
        if stream is not None and not stream.closed:  # a test runner's capture may be closed by now
            stream.flush()


def logs_to_stderr() -> None:
    """The functions' structured logs go to stderr, so stdout carries only the result. Set once per process, and
    never by flushing a closed stream (setting a stream flushes the old one, which may be a test runner's capture,
    closed by now)."""
    from autopilot.observability import logger

    handler = logger.registered_handler
    if not isinstance(handler, logging.StreamHandler) or isinstance(handler.stream, _CurrentStderr):
        return
    if getattr(handler.stream, "closed", False):  # the stderr of its import, closed since: nothing to flush
        with handler.lock or contextlib.nullcontext():
            handler.stream = _CurrentStderr()
    else:
        handler.setStream(_CurrentStderr())  # type: ignore[arg-type]


class InvokeError(Exception):
    """The event file or the function name is wrong; the message says which."""


def load_event(path: Path) -> Any:
    if not path.is_file():
        raise InvokeError(f"event file {path} does not exist; the samples are in events/")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvokeError(
            f"event file {path} is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc


def with_overrides(event: Any, now: str | None, dry_run: bool | None) -> Any:
    """Wrap a bare event in the workflow envelope when a decision time or dry-run is given."""
    if now is None and dry_run is None:
        return event
    envelope = dict(event) if isinstance(event, dict) and "trigger" in event else {"trigger": event}
    if now is not None:
        envelope["now"] = now
    if dry_run is not None:
        envelope["dry_run"] = dry_run
    return envelope


def run_handler(logical_id: str, event: Any, env: dict[str, str], stack_name: str = "sensor-autopilot") -> Any:
    template = load_template()
    module_name, func_name = function_handler(template, logical_id).rsplit(".", 1)
    limits = function_settings(template, logical_id)
    name = f"{stack_name}-{logical_id}"
    with patched_environ({**env, "AWS_LAMBDA_FUNCTION_NAME": name}):
        clear_all()
        try:
            logs_to_stderr()
            handler = getattr(importlib.import_module(module_name), func_name)
            context = LocalLambdaContext(
                function_name=name, memory_limit_in_mb=limits["memory"], timeout_seconds=limits["timeout"]
            )
            # The handler's own log and metric lines go to stderr; stdout carries only the CLI's output.
            with contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="No application metrics to publish")
                return handler(event, context)
        finally:
            clear_all()
