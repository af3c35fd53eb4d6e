"""uvicorn's httptools protocol, tuned for the service: `uvicorn --http sensor_api.httpproto:HeaderTimeoutProtocol`.

Header timeout. uvicorn bounds the idle time between requests (--timeout-keep-alive) but not the time a
client takes to send a request's headers: a client that opens a connection and sends nothing, or trickles
its headers a byte at a time, holds the connection indefinitely, and a few hundred of them exhaust a task.
Here the headers of every request must be complete within HTTP_HEADER_TIMEOUT_SECONDS of the connection
opening or of the request's first byte; otherwise the client gets a 408 and the connection is closed. The
body has its own timeout, in the app (limits.py). The timer is armed only when a read ends with headers
still incomplete: a request whose headers arrive in one read (nearly all of them) costs no timer.

One write per response. uvicorn writes a response's status line and headers, then its body, each with its
own `transport.write`: two send system calls and two TCP segments for every small response. Here the head
is held until the first body message and goes out with it (`OneWriteCycle`); a response without body
bytes (HEAD) writes its head when its body message is sent, as before.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

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


class _HeldHead:
    """Stands in for the transport while uvicorn writes a response's head: keeps the bytes."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)


class _WithHead:
    """Stands in for the transport while uvicorn writes a body: the held head goes out with the first
    write, or on close, or when the body message is done (a HEAD response writes no body bytes)."""

    def __init__(self, transport: asyncio.Transport, head: bytes) -> None:
        self.transport = transport
        self.head = head

    def write(self, data: bytes) -> None:
        head, self.head = self.head, b""
        self.transport.write(head + data if head else data)

    def flush(self) -> None:
        if self.head and not self.transport.is_closing():
            self.write(b"")

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def is_closing(self) -> bool:
        return self.transport.is_closing()


class OneWriteCycle(RequestResponseCycle):
    """uvicorn's request/response cycle, writing a response's head together with its first body bytes."""

    _head: bytes = b""

    async def send(self, message: Any) -> None:
        transport = self.transport
        if message["type"] == "http.response.start" and not self.response_started:
            held = _HeldHead()
            self.transport = held  # type: ignore[assignment]
            try:
                await super().send(message)
            finally:
                self.transport = transport
            self._head = b"".join(held.parts)
            return
        if not self._head:
            await super().send(message)
            return
        with_head = _WithHead(transport, self._head)
        self._head = b""
        self.transport = with_head  # type: ignore[assignment]
        try:
            await super().send(message)
        finally:
            self.transport = transport
            with_head.flush()


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that closes a connection whose request headers are not complete in time, and
    answers each request with one write."""

    _timeout = header_timeout()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._in_headers = False
        self._header_deadline = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._in_headers = True
        self._header_deadline = self.loop.time() + self._timeout
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._in_headers:  # a request began in this read and its headers are not complete yet
            self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_headers = True
        self._header_deadline = self.loop.time() + self._timeout

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._disarm()
        previous = self.cycle
        super().on_headers_complete()
        if self.cycle is not previous and type(self.cycle) is RequestResponseCycle:
            self.cycle.__class__ = OneWriteCycle  # before its task first runs: every send goes through it

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_at(self._header_deadline, self._headers_too_slow)

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
