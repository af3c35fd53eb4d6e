"""Inject AWS errors (throttling, 5xx) into chosen API calls, count calls or hook into them, on botocore's public
event hooks.

One pair of ``before-send`` handlers is added to botocore's built-in handlers (:func:`install`, from the test
conftest), so every session and client carries them. The first runs before any other ``before-send`` handler: for
a call a fault source wants to fail, it returns the error response, which botocore uses instead of sending, and
points the request at an address no emulator serves, so the emulator's own handler (moto's, which botocore also
calls) leaves the call undone. The last one puts the address back, so botocore's retry of the same request goes
through. botocore's retry and backoff are therefore exercised as against AWS. Two more, on ``before-call`` and
``after-call``, run the hooks of :func:`on_call` (counters, a pause at a chosen call, a changed answer).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import Any, Literal

import botocore.handlers
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.retries import standard

UNSERVED_URL = "https://fault-injected.invalid/"
FaultSource = Callable[[str, AWSPreparedRequest], AWSResponse | None]
_SOURCES: list[FaultSource] = []
_REDIRECTED: dict[int, str] = {}
_INSTALLED: list[bool] = []
# ((before or after, service, operation), hook) pairs that :func:`on_call` added: called by the built-in
# ``before-call`` and ``after-call`` handlers.
_HOOKS: list[tuple[tuple[str, str, str], Callable[..., Any]]] = []


class ErrorBody(BytesIO):
    """A response body botocore can read (it streams the raw response)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def error_response(request: AWSPreparedRequest, status: int, code: str, message: str = "") -> AWSResponse:
    """The error in the protocol of the call: XML for query APIs (SNS, RDS, ...), JSON otherwise."""
    raw = request.headers.get("Content-Type", "")
    content_type = raw.decode() if isinstance(raw, bytes) else str(raw)
    message = message or f"injected {code}"
    if "x-www-form-urlencoded" in content_type:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>injected</RequestId></ErrorResponse>"
        )
        headers = {"Content-Type": "text/xml"}
    else:
        body = json.dumps({"__type": code, "message": message})
        headers = {"x-amzn-ErrorType": code, "Content-Type": "application/x-amz-json-1.1"}
    return AWSResponse(request.url, status, headers, ErrorBody(body.encode()))  # type: ignore[arg-type]


def _serve(event_name: str, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
    for source in list(_SOURCES):
        response = source(event_name, request)
        if response is not None:
            _REDIRECTED[id(request)] = request.url
            request.url = UNSERVED_URL
            return response
    return None


def _restore(request: AWSPreparedRequest, **_: Any) -> None:
    original = _REDIRECTED.pop(id(request), None)
    if original is not None:
        request.url = original


def _hooks_of(when: str) -> Callable[..., None]:
    def call_hooks(model: Any, **kwargs: Any) -> None:
        """Run the hooks of this call's service (botocore's name, e.g. ``application-autoscaling``) and operation."""
        called = (when, model.service_model.service_name, model.name)
        for wanted, hook in list(_HOOKS):
            if wanted == called:
                hook(model=model, **kwargs)

    return call_hooks


def install() -> None:
    """Add the handlers to botocore's built-ins (once; sessions and clients created later carry them)."""
    if _INSTALLED:
        return
    botocore.handlers.BUILTIN_HANDLERS.append(("before-send", _serve, botocore.handlers.REGISTER_FIRST))
    botocore.handlers.BUILTIN_HANDLERS.append(("before-send", _restore, botocore.handlers.REGISTER_LAST))
    botocore.handlers.BUILTIN_HANDLERS.append(("before-call", _hooks_of("before")))
    botocore.handlers.BUILTIN_HANDLERS.append(("after-call", _hooks_of("after")))
    _INSTALLED.append(True)


@contextmanager
def serving(source: FaultSource, monkeypatch: pytest.MonkeyPatch, delay: Callable[[], float] = float) -> Iterator[None]:
    """Consult ``source`` for every request sent while inside; botocore's backoff waits ``delay()`` (0 s)."""
    install()
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda _self, _context: delay())
    _SOURCES.append(source)
    try:
        yield
    finally:
        _SOURCES.remove(source)


@dataclass
class FaultPlan:
    """Fail the first ``times`` calls (``None``: all of them) with ``code`` / ``status``; count every call."""

    code: str = "ThrottlingException"
    status: int = 400
    times: int | None = 2
    calls: int = 0
    failed: int = 0

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        self.calls += 1
        if self.times is not None and self.failed >= self.times:
            return None
        self.failed += 1
        return error_response(request, self.status, self.code)


@contextmanager
def inject(service: str, operation: str, plan: FaultPlan, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultPlan]:
    """Serve ``plan``'s errors for ``service``'s ``operation`` instead of the emulator; retries wait 0 s.

    botocore names the event after the hyphenated service ID (``application-auto-scaling``), not the client name,
    so the operation name alone selects the call."""

    def source(event_name: str, request: AWSPreparedRequest) -> AWSResponse | None:
        return plan(request) if event_name.endswith(f".{operation}") else None

    with serving(source, monkeypatch):
        yield plan


class Faults:
    """Counts every request by operation and fails chosen operations (503, or ``throttle``: a 400 Throttling);
    backoff delays are counted and not waited."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.backoffs = 0
        self._failures: dict[str, list[Any]] = {}

    def fail(self, operation: str, times: int = -1, *, throttle: bool = False) -> None:
        """Fail ``operation`` the next ``times`` calls (-1: always) with a 503, or a Throttling error."""
        self._failures[operation] = [times, throttle]

    def heal(self, operation: str) -> None:
        self._failures.pop(operation, None)

    def __call__(self, event_name: str, request: AWSPreparedRequest) -> AWSResponse | None:
        operation = event_name.rsplit(".", 1)[-1]
        self.calls[operation] += 1
        failure = self._failures.get(operation)
        if failure is None or failure[0] == 0:
            return None
        failure[0] -= 1 if failure[0] > 0 else 0
        if failure[1]:
            return error_response(request, 400, "Throttling", "Rate exceeded")
        return AWSResponse(request.url, 503, {}, ErrorBody(b""))  # type: ignore[arg-type]

    def delay(self) -> float:
        self.backoffs += 1
        return 0.0


def install_faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    """A :class:`Faults` consulted for every request until the test ends (``monkeypatch`` undoes it)."""
    install()
    faults = Faults()
    monkeypatch.setattr(sys.modules[__name__], "_SOURCES", [*_SOURCES, faults])
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda _self, _context: faults.delay())
    return faults


class CallCounter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, **_: Any) -> None:
        self.calls += 1


@contextmanager
def on_call(
    service: str, operation: str, hook: Callable[..., Any], when: Literal["before", "after"] = "before"
) -> Iterator[None]:
    """Call ``hook(**kwargs)`` before (botocore's ``before-call`` arguments) or after (``after-call``: ``parsed`` is
    the answer, which the hook may change) every ``service`` ``operation`` call made while inside, by any client,
    including one made before (a warm container's: handlers keep their clients, see ``autopilot.adapters.clients``).
    """
    install()
    entry = ((when, service, operation), hook)
    _HOOKS.append(entry)
    try:
        yield
    finally:
        _HOOKS.remove(entry)


@contextmanager
def count_calls(service: str, operation: str) -> Iterator[CallCounter]:
    counter = CallCounter()
    with on_call(service, operation, counter):
        yield counter
