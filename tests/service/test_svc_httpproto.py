"""The service's uvicorn protocol answers each response with one write, and arms the header timer only
for headers that do not arrive in one read."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sensor_api.httpproto import OneWriteCycle
from uvicorn.protocols.http.flow_control import FlowControl

pytestmark = pytest.mark.service


class FakeTransport:
    """Records what uvicorn writes; never pauses."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def cycle(transport: FakeTransport, method: str = "POST", keep_alive: bool = True) -> OneWriteCycle:
    scope: Any = {"type": "http", "method": method, "headers": []}
    return OneWriteCycle(
        scope=scope,
        transport=transport,  # type: ignore[arg-type]
        flow=FlowControl(transport),  # type: ignore[arg-type]
        logger=logging.getLogger("test"),
        access_logger=logging.getLogger("test.access"),
        access_log=False,
        default_headers=[(b"server", b"uvicorn")],
        message_event=asyncio.Event(),
        expect_100_continue=False,
        keep_alive=keep_alive,
        on_response=lambda: None,
    )


START = {"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"15")]}


async def test_a_response_with_a_body_is_one_write_with_head_and_body() -> None:
    transport = FakeTransport()
    answer = cycle(transport)
    await answer.send(START)
    assert transport.writes == []  # the head waits for the body
    await answer.send({"type": "http.response.body", "body": b'{"accepted":1}\n'})
    assert len(transport.writes) == 1
    head, _, body = transport.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 201 Created\r\n") and b"content-length: 15" in head
    assert body == b'{"accepted":1}\n' and answer.response_complete


async def test_a_streamed_body_sends_the_head_with_the_first_chunk_only() -> None:
    transport = FakeTransport()
    answer = cycle(transport)
    await answer.send({**START, "headers": []})  # no length: chunked
    await answer.send({"type": "http.response.body", "body": b"one", "more_body": True})
    await answer.send({"type": "http.response.body", "body": b"two"})
    assert len(transport.writes) == 2
    assert transport.writes[0].startswith(b"HTTP/1.1 201 ") and transport.writes[0].endswith(b"3\r\none\r\n")
    assert transport.writes[1] == b"3\r\ntwo\r\n0\r\n\r\n"


async def test_a_head_response_writes_its_head_before_the_connection_closes() -> None:
    transport = FakeTransport()
    answer = cycle(transport, method="HEAD", keep_alive=False)
    await answer.send(START)
    await answer.send({"type": "http.response.body", "body": b""})
    assert len(transport.writes) == 1 and transport.writes[0].startswith(b"HTTP/1.1 201 ")
    assert transport.closed
