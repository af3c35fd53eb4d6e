"""The decision log a page at a time on the seed's stack in moto: newest first, one resource's decisions, the
table's keys left out, and a cursor that only continues the listing it came from."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from autopilot.audit import record_decision
from autopilot.operations.ops_actions import list_actions
from autopilot.operations.ops_errors import OpsRefusedError
from autopilot.settings.ops import OpsSettings, get_ops_settings
from autopilot_cli.embedded.seed_stack import EmbeddedStack

from tests.helpers.clients import clients, state_table

AT = datetime.fromisoformat("2026-11-27T14:00:10+00:00")
NOT_OURS = "cursor is not one this API returned; start again without it"


@pytest.fixture
def settings(stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]]) -> OpsSettings:
    function_env("OpsApiFunction")
    return get_ops_settings()


def decide(settings: OpsSettings, resource: str, action: str, minutes: int) -> None:
    record_decision(
        state_table(settings.state_table_name),
        function="ops-scale",
        resource_id=resource,
        at=AT + timedelta(minutes=minutes),
        action=action,
        taken=True,
        reason=f"{action} for the test",
    )


def cursor_of(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def test_pages_are_newest_first_without_the_table_keys_and_continue_where_they_stopped(
    settings: OpsSettings,
) -> None:
    resource = settings.scalable_resource_id
    for minute, action in enumerate(["first", "second", "third"]):
        decide(settings, resource, action, minute)

    page = list_actions(clients(), settings, None, 2, None)

    assert [item["action"] for item in page.items] == ["third", "second"]
    assert not {"pk", "sk", "ttl"} & set(page.items[0])
    assert page.items[0]["resource_id"] == resource and page.items[0]["reason"] == "third for the test"
    assert page.next_cursor is not None
    key = json.loads(base64.urlsafe_b64decode(page.next_cursor))
    assert set(key) == {"pk", "sk"} and key["pk"] == f"AUDIT#{resource}"
    rest = list_actions(clients(), settings, None, 2, page.next_cursor)
    assert [item["action"] for item in rest.items] == ["first"] and rest.next_cursor is None


def test_a_page_shorter_than_the_limit_is_the_last(settings: OpsSettings) -> None:
    decide(settings, settings.scalable_resource_id, "only", 0)
    page = list_actions(clients(), settings, None, 5, None)
    assert [item["action"] for item in page.items] == ["only"] and page.next_cursor is None


def test_another_resource_has_its_own_log(settings: OpsSettings) -> None:
    decide(settings, settings.scalable_resource_id, "raise_floor", 0)
    decide(settings, settings.primary_db_instance_id, "propose_db_class", 1)

    page = list_actions(clients(), settings, settings.primary_db_instance_id, 10, None)

    assert [(item["action"], item["resource_id"]) for item in page.items] == [
        ("propose_db_class", settings.primary_db_instance_id)
    ]


def test_a_cursor_of_another_resource_is_refused(settings: OpsSettings) -> None:
    for minute in range(2):
        decide(settings, settings.primary_db_instance_id, "propose_db_class", minute)
    other = list_actions(clients(), settings, settings.primary_db_instance_id, 1, None).next_cursor
    assert other is not None

    with pytest.raises(OpsRefusedError) as caught:
        list_actions(clients(), settings, None, 1, other)
    assert str(caught.value) == "cursor belongs to another resource; start again without it"


@pytest.mark.parametrize(
    "cursor",
    [
        "%%% not base64 %%%",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        cursor_of(["pk", "sk"]),
        cursor_of({"pk": "AUDIT#x"}),
        cursor_of({"pk": "AUDIT#x", "sk": "2026", "ttl": 1}),
    ],
    ids=["not-base64", "not-json", "not-utf8", "a-list", "missing-sk", "extra-key"],
)
def test_a_cursor_this_api_did_not_return_is_refused(settings: OpsSettings, cursor: str) -> None:
    with pytest.raises(OpsRefusedError) as caught:
        list_actions(clients(), settings, None, 2, cursor)
    assert str(caught.value) == NOT_OURS
