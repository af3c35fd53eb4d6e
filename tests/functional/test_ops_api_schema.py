"""The ops API's OpenAPI document: the committed copy is current, and requests generated from it (valid and
invalid) never get a server error, an undocumented status or a body that does not match the document."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from autopilot.ops_api.app import create_app
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.functional.ops_events import rest_event

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "ops-api.openapi.json"


class Identified:
    """What Mangum does for a request from API Gateway: the event rides along in the ASGI scope."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "aws.event": rest_event(scope["method"], scope["path"])}
        await self.app(scope, receive, send)


def test_the_committed_document_is_the_apps() -> None:
    committed = json.loads(COMMITTED.read_text())
    assert committed == create_app().openapi(), "regenerate: autopilot openapi > docs/ops-api.openapi.json"


def test_generated_requests_get_documented_answers(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]]
) -> None:
    function_env("OpsApiFunction")
    schema = schemathesis.openapi.from_asgi("/openapi.json", Identified(create_app()))
    strategy = st.one_of(schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE))
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance]

    @given(case=strategy)
    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(checks=checks)

    run()


@pytest.mark.parametrize("path", ["/status", "/approvals"])
def test_without_the_api_gateway_context_every_route_is_refused(path: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
    response = schema[path]["GET"].Case().call()
    assert response.status_code == 403 and "IAM caller" in response.json()["detail"]
