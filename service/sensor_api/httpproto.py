"""uvicorn's httptools protocol with a header timeout: `uvicorn --http sensor_api.httpproto:HeaderTimeoutProtocol`.

uvicorn bounds the idle time between requests (--timeout-keep-alive) but not the time a client takes to
send a request's headers: a client that opens a connection and sends nothing, or trickles its headers a
byte at a time, holds the connection indefinitely, and a few hundred of them exhaust a task. Here the
headers of every request must be complete within HTTP_HEADER_TIMEOUT_SECONDS of the connection opening
or of the request's first byte; otherwise the client gets a 408 and the connection is closed. The body
has its own timeout, in the app (limits.py).
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DEFAULT_HEADER_TIMEOUT = 10.0


def header_timeout() -> float:
    """HTTP_HEADER_TIMEOUT_SECONDS (the same variable ServiceSettings documents), read when a worker starts."""
    raw = os.environ.get("HTTP_HEADER_TIMEOUT_SECONDS", "")
    try:
        value = float(raw) if raw else DEFAULT_HEADER_TIMEOUT
    except ValueError:
        raise SystemExit(f"HTTP_HEADER_TIMEOUT_SECONDS={raw!r} is not a number of seconds") from None
    if value <= 0:
        raise SystemExit(f"HTTP_HEADER_TIMEOUT_SECONDS={raw!r} must be above 0")
    return value


def timeout_response(seconds: float) -> bytes:
    body = json.dumps({"detail": f"request headers not received within {seconds:g} s: send them at once"}).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that closes a connection whose request headers are not complete in time."""

    _timeout = header_timeout()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self._timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:  # never in the middle of another response
            self.transport.write(timeout_response(self._timeout))
        self.transport.close()
