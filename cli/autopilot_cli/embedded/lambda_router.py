"""Route moto's docker-free Lambda invocations to our handlers, in-process (an emulator seam, not product code).

While a :class:`LambdaRouter` is active, invoking a function whose name maps to a template logical ID runs that
function's handler in this process: the payload is the event, the environment is the function's own from
``template.yaml`` (Globals overlaid with its block), and an exception comes back the way Lambda reports one
(``X-Amz-Function-Error: Unhandled`` with ``{"errorType", "errorMessage"}``), which Step Functions turns into the
error name its Retry and Catch match. Functions that map to no logical ID keep moto's echo behaviour.

Environment variables are process-wide, so invocations are serialised and each one restores the environment
(and forgets cached settings) when it ends.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from autopilot.settings.cache import clear_all
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.exceptions import JsonRESTError

from autopilot_cli.lambda_context import LocalLambdaContext
from autopilot_cli.template_model import (
    Resolver,
    function_environment,
    function_handler,
    function_ids,
    function_settings,
)

Hook = Callable[[str, Any], None]


class LambdaServiceError(JsonRESTError):
    """An error of the Lambda service itself (not of the function), e.g. throttling: Step Functions sees
    ``Lambda.<code>`` and its Retry applies."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(code, message)
        self.code = status


@dataclass(frozen=True)
class Fault:
    """A Lambda service error to return instead of running the handler."""

    code: str = "TooManyRequestsException"
    message: str = "Rate exceeded"
    status: int = 429


@dataclass
class Invocation:
    """One routed invocation, as the router saw it."""

    logical_id: str
    payload: Any
    result: Any = None
    error_type: str | None = None
    error_message: str | None = None
    fault: Fault | None = None


@dataclass
class LambdaRouter:
    """Maps function names to logical IDs and runs their handlers; records every invocation."""

    resolver: Resolver
    names: dict[str, str] = field(default_factory=dict)
    invocations: list[Invocation] = field(default_factory=list)
    _hooks: list[Hook] = field(default_factory=list)
    _faults: dict[str, list[Fault]] = field(default_factory=dict)
    _lost: dict[str, list[Fault]] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def register(self, function_name: str, logical_id: str) -> None:
        if logical_id not in function_ids(self.resolver.template):
            raise ValueError(f"{logical_id!r} is not a function in template.yaml; cannot route {function_name!r}")
        self.names[function_name] = logical_id

    def logical_id_for(self, function_name: str) -> str | None:
        """``NAME``, ``arn:...:function:NAME`` or ``...:NAME:qualifier`` → the logical ID it maps to, if any."""
        name = function_name.split(":function:", 1)[1] if ":function:" in function_name else function_name
        name = name.split(":", 1)[0]
        if name in self.names:
            return self.names[name]
        stack = self.resolver.stack_name
        for logical_id in function_ids(self.resolver.template):
            if name in (logical_id, f"{stack}-{logical_id}") or name.startswith(f"{stack}-{logical_id}-"):
                return logical_id
        return None

    def before_invoke(self, hook: Hook) -> None:
        """Run ``hook(logical_id, payload)`` before each routed invocation (e.g. the capacity actuator)."""
        self._hooks.append(hook)

    def fail_next(self, logical_id: str, times: int = 1, fault: Fault | None = None) -> None:
        """The next ``times`` invocations of ``logical_id`` fail in the Lambda service, before the handler runs."""
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        self._faults.setdefault(logical_id, []).extend([fault or Fault()] * times)

    def lose_next_response(self, logical_id: str, times: int = 1, fault: Fault | None = None) -> None:
        """The next ``times`` invocations of ``logical_id`` run the handler, then fail in the Lambda service (the
        response is lost: by default ``ServiceException``, which Step Functions sees as Lambda.ServiceException)."""
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        lost = fault or Fault("ServiceException", "the function ran but its response was lost", 500)
        self._lost.setdefault(logical_id, []).extend([lost] * times)

    def calls(self, logical_id: str) -> list[Invocation]:
        return [inv for inv in self.invocations if inv.logical_id == logical_id]

    def invoke(self, logical_id: str, payload: Any, response_headers: dict[str, str]) -> bytes:
        """Run the handler of ``logical_id`` on ``payload``; errors come back as Lambda reports them."""
        with self._lock:
            record = Invocation(logical_id=logical_id, payload=payload)
            self.invocations.append(record)
            pending = self._faults.get(logical_id)
            if pending:
                record.fault = pending.pop(0)
                raise LambdaServiceError(record.fault.code, record.fault.message, record.fault.status)
            for hook in self._hooks:
                hook(logical_id, payload)
            try:
                record.result = self._run(logical_id, payload)
            except Exception as exc:
                record.error_type, record.error_message = type(exc).__name__, str(exc)
                response_headers["x-amz-function-error"] = "Unhandled"
                error = {
                    "errorType": record.error_type,
                    "errorMessage": record.error_message,
                    "stackTrace": traceback.format_tb(exc.__traceback__),
                }
                return json.dumps(error).encode()
            lost = self._lost.get(logical_id)
            if lost:
                record.fault = lost.pop(0)
                raise LambdaServiceError(record.fault.code, record.fault.message, record.fault.status)
            return json.dumps(record.result).encode()

    def _run(self, logical_id: str, payload: Any) -> Any:
        module_name, _, attribute = function_handler(self.resolver.template, logical_id).rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
        limits = function_settings(self.resolver.template, logical_id)
        context = LocalLambdaContext(
            function_name=f"{self.resolver.stack_name}-{logical_id}",
            memory_limit_in_mb=limits["memory"],
            timeout_seconds=limits["timeout"],
            region=self.resolver.region,
            account=self.resolver.account,
        )
        with _function_environment(function_environment(self.resolver, logical_id)):
            return handler(payload, context)

    @contextmanager
    def active(self) -> Iterator[LambdaRouter]:
        """Patch moto's docker-free Lambda backend so that invocations reach this router."""
        original = LambdaSimpleBackend.invoke
        router = self

        def routed(
            backend: LambdaSimpleBackend,
            function_name: str,
            qualifier: str | None,
            body: Any,
            headers: Any,
            response_headers: Any,
        ) -> str | bytes | None:
            logical_id = router.logical_id_for(function_name)
            if logical_id is None:
                return original(backend, function_name, qualifier, body, headers, response_headers)
            return router.invoke(logical_id, _decode(body), response_headers)

        with mock.patch.object(LambdaSimpleBackend, "invoke", routed):
            yield self


def _decode(body: Any) -> Any:
    if body in (None, b"", ""):
        return {}
    text = body.decode() if isinstance(body, bytes) else str(body)
    return json.loads(text)


@contextmanager
def _function_environment(values: dict[str, str]) -> Iterator[None]:
    """The function's environment for the length of one invocation, with settings re-read on both sides."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    clear_all()
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old
        clear_all()
