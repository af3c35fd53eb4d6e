"""Inject AWS errors (throttling, 5xx) into chosen API calls, ahead of moto, and count the calls."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.retries import standard
from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse


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
        body, headers = self._error_body(request)
        return AWSResponse(request.url, self.status, headers, MockRawResponse(body))  # type: ignore[arg-type]

    def _error_body(self, request: Any) -> tuple[str, dict[str, str]]:
        """The error in the protocol of the call: XML for query APIs (SNS, RDS, ...), JSON otherwise."""
        raw = request.headers.get("Content-Type", "")
        content_type = raw.decode() if isinstance(raw, bytes) else str(raw)
        if "x-www-form-urlencoded" in content_type:
            xml = (
                f"<ErrorResponse><Error><Type>Sender</Type><Code>{self.code}</Code>"
                f"<Message>injected {self.code}</Message></Error><RequestId>injected</RequestId></ErrorResponse>"
            )
            return xml, {"Content-Type": "text/xml"}
        body = json.dumps({"__type": self.code, "message": f"injected {self.code}"})
        return body, {"x-amzn-ErrorType": self.code, "Content-Type": "application/x-amz-json-1.1"}


class CallCounter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, **_: Any) -> None:
        self.calls += 1


def _events() -> Any:
    return boto3._get_default_session()._session.get_component("event_emitter")  # type: ignore[attr-defined]


@contextmanager
def inject(service: str, operation: str, plan: FaultPlan, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultPlan]:
    """Serve ``plan``'s errors for ``service.operation`` instead of moto; retries wait 0 s.

    botocore calls every ``before-send`` handler, so an earlier handler cannot stop moto from applying the call;
    the fault is therefore served from moto's own stubber, in its place.
    """
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    original = BotocoreStubber.__call__
    # botocore names the event after the hyphenated service ID (application-auto-scaling), not the client name
    wanted_prefix, wanted_suffix = "before-send.", f".{operation}"

    def serve(self: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
        if event_name.startswith(wanted_prefix) and event_name.endswith(wanted_suffix):
            response = plan(request)
            if response is not None:
                return response
        return original(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", serve)
    yield plan


@contextmanager
def count_calls(service: str, operation: str) -> Iterator[CallCounter]:
    counter = CallCounter()
    event = f"before-call.{service}.{operation}"
    _events().register(event, counter)
    try:
        yield counter
    finally:
        _events().unregister(event, counter)
