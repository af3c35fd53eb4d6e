"""What a worker holds while it runs, and the FastAPI dependencies that hand it to routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from .auth import KEY_HEADER, Authenticator, Principal
from .budget import PoolPlan
from .coalescer import FlushObserver
from .database import Database
from .metrics import MetricsRecorder
from .repository import ReadingRow
from .settings import ServiceSettings


class Ingest(Protocol):
    observer: FlushObserver | None

    @property
    def queued_rows(self) -> int: ...

    def start(self) -> None: ...

    async def close(self) -> None: ...

    async def submit(self, rows: list[ReadingRow]) -> None: ...


@dataclass
class Runtime:
    settings: ServiceSettings
    plan: PoolPlan
    db: Database
    auth: Authenticator
    ingest: Ingest
    metrics: MetricsRecorder


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_runtime(request: Request) -> Runtime:  # async: FastAPI runs a sync dependency in a thread
    return runtime_of(request)


API_KEY_SCHEME = "ApiKey"
api_key_header = APIKeyHeader(
    name=KEY_HEADER, scheme_name=API_KEY_SCHEME, auto_error=False, description="A sensor, reader or admin key"
)


async def get_principal(request: Request, key: Annotated[str | None, Security(api_key_header)] = None) -> Principal:
    return await runtime_of(request).auth.authenticate(key)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
