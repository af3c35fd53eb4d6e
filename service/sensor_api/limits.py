"""Request body limits, enforced while the body streams in: its size, and how long it may take.

A body over the size limit is answered 413 after reading and discarding what the client sends (up to
`drain_bytes`): closing a socket with unread data makes the kernel send a reset, and the client would
see "connection reset" instead of the 413. A body that does not arrive within the body timeout is
answered 408 and the connection closed, so slow or stalled clients cannot hold workers' connections.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from typing import Any, TypeVar

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CLOSE = {"Connection": "close"}
T = TypeVar("T")


def too_large_message(limit: int) -> str:
    return (
        f"request body is larger than MAX_BODY_BYTES={limit} bytes: "
        "send fewer readings per request (see INGEST_BATCH_MAX)"
    )


def too_slow_message(seconds: float) -> str:
    return f"request body not received within HTTP_BODY_TIMEOUT_SECONDS={seconds:g} s: send it at once"


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; FastAPI renders HTTPExceptions with their status."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=too_large_message(limit), headers=CLOSE)


class BodyTooSlow(HTTPException):
    def __init__(self, seconds: float) -> None:
        super().__init__(status_code=408, detail=too_slow_message(seconds), headers=CLOSE)


def timed(receive: Receive, seconds: float) -> Receive:
    """A receive that raises BodyTooSlow once the body has taken more than `seconds` since it was first asked for."""
    deadline: float | None = None

    async def bounded() -> Message:
        nonlocal deadline
        if deadline is None:
            deadline = asyncio.get_running_loop().time() + seconds
        try:
            async with asyncio.timeout_at(deadline):
                return await receive()
        except TimeoutError:
            raise BodyTooSlow(seconds) from None

    return bounded


async def within(seconds: float, reading: Awaitable[T]) -> T:
    """`reading` (the body's receive calls), raising BodyTooSlow if it takes more than `seconds`.

    One timer for the whole body, where `timed` sets one per receive call: the ingest fast path reads
    nearly every body in one message, and asyncio.timeout's bookkeeping cost more than the read."""
    task = asyncio.current_task()
    assert task is not None
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    handle = asyncio.get_running_loop().call_later(seconds, expire)
    try:
        return await reading
    except asyncio.CancelledError:
        if expired and task.uncancel() == 0:
            raise BodyTooSlow(seconds) from None
        raise
    finally:
        handle.cancel()


async def drain(receive: Receive, limit: int) -> None:
    """Read and discard the rest of the body, up to `limit` bytes (see the module's note)."""
    seen = 0
    while seen <= limit:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        seen += len(message.get("body", b""))


class BodySizeLimit:
    """ASGI middleware: 413 for a declared or streamed body above `max_bytes`, 408 for a slow one."""

    def __init__(self, app: ASGIApp, max_bytes: int, body_timeout: float, drain_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body_timeout = body_timeout
        self.drain_bytes = drain_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        receive = timed(receive, self.body_timeout)
        declared = content_length(scope)
        if declared is not None and declared > self.max_bytes:
            try:
                if declared <= self.drain_bytes and not expects_continue(scope):
                    await drain(receive, self.drain_bytes)
            except BodyTooSlow:
                pass  # answered below all the same, and the connection closed
            await reject(send, 413, too_large_message(self.max_bytes))
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    if message.get("more_body", False):
                        await drain(receive, self.drain_bytes)
                    raise BodyTooLarge(self.max_bytes)
            return message

        return counted


def content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def expects_continue(scope: Scope) -> bool:
    """The client waits for "100 Continue" before sending its body: there is nothing to drain."""
    return any(name == b"expect" and value.lower() == b"100-continue" for name, value in scope.get("headers", []))


async def reject(send: Send, status: int, detail: str) -> None:
    """A JSON error answered directly, closing the connection."""
    body = json.dumps({"detail": detail}).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
