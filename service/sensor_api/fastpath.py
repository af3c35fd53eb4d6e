"""Ingest answered below the framework: the hot path without the per-request middleware stack.

Measured with py-spy on a loaded worker, a coalesced single-reading ingest spent about half its CPU in
the layers every request crosses (FastAPI's and Starlette's middleware, exception wrappers, routing)
and an eighth in the ingest itself. POSTs to the two ingest paths are therefore taken here, before that
stack: the body is read under the same size limit, then the same `prepare_ingest` (authentication,
parsing, rules) and the same queue run, and the request is timed into the same metrics.

A request that fails before its readings are queued is handed to the full application with its body
replayed: those steps have no side effect, so it answers exactly as it always did (401, 403, 413, 422,
503 from a key lookup...). Once the readings are queued the answer is given here: 201, or the 503 of
IngestUnavailableError.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .coalescer import IngestUnavailableError
from .limits import BodyTooSlow, reject, within
from .models import ReadingBatchIn, ReadingIn
from .routes.readings import ingest_ack, prepare_ingest
from .runtime import Runtime

INGEST_PATH = re.compile(r"^/v1/sensors/([^/]+)/readings(/batch)?$")
TEMPLATES = {False: "POST /v1/sensors/{sensor_id}/readings", True: "POST /v1/sensors/{sensor_id}/readings/batch"}
JSON = (b"content-type", b"application/json")


def ingest_match(scope: Scope) -> re.Match[str] | None:
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    return INGEST_PATH.match(scope["path"])


def _headers(scope: Scope) -> tuple[str | None, str | None]:
    """The request's content-length and X-API-Key (one pass over the headers)."""
    length = key = None
    for name, value in scope["headers"]:
        if name == b"content-length":
            length = value.decode("latin-1")
        elif name == b"x-api-key":
            key = value.decode("latin-1")
    return length, key


async def read_limited(receive: Receive, limit: int) -> tuple[list[Message], bool]:
    """The request's body messages, read until complete or past `limit` bytes; True when complete."""
    messages: list[Message] = []
    seen = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, False  # the client went away: the full app reports it
        seen += len(message.get("body", b""))
        if seen > limit:
            return messages, False
        if not message.get("more_body", False):
            return messages, True


def replaying(messages: list[Message], receive: Receive) -> Receive:
    """A receive that yields the messages already read, then goes on with the real one."""
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


async def _send_json(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [JSON, (b"content-length", b"%d" % len(body)), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def ingest_fast(
    app: Any, full: ASGIApp, scope: Scope, receive: Receive, send: Send, match: re.Match[str]
) -> None:
    """Answer one ingest request, or hand it to `full` (the framework's stack) when it fails early."""
    rt: Runtime | None = app.runtime
    declared, key = _headers(scope)
    if rt is None or (declared is not None and (not declared.isdigit() or int(declared) > rt.settings.max_body_bytes)):
        await full(scope, receive, send)
        return
    started = time.perf_counter()
    settings = rt.settings
    try:
        messages, complete = await within(
            settings.http_body_timeout_seconds, read_limited(receive, settings.max_body_bytes)
        )
    except BodyTooSlow as exc:
        await reject(send, exc.status_code, exc.detail)
        return
    batch = match.group(2) is not None
    try:
        if not complete:
            raise ValueError("body not complete")
        raw = messages[0].get("body", b"") if len(messages) == 1 else b"".join(m.get("body", b"") for m in messages)
        model = ReadingBatchIn if batch else ReadingIn
        rows = await prepare_ingest(rt, key, match.group(1), raw, model)
    except Exception:  # nothing happened yet: the full stack answers from the start, as it always has
        await full(scope, replaying(messages, receive), send)
        return
    try:
        await rt.ingest.submit(rows)
    except IngestUnavailableError as exc:
        body = json.dumps({"detail": exc.message}).encode()
        await _send_json(send, 503, body, [(b"retry-after", str(exc.retry_after).encode())])
        rt.metrics.record(TEMPLATES[batch], 503, (time.perf_counter() - started) * 1000)
        return
    await _send_json(send, 201, ingest_ack(len(rows)))
    rt.metrics.record(TEMPLATES[batch], 201, (time.perf_counter() - started) * 1000)
