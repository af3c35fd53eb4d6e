"""``autopilot scale | approvals | approve | reject | actions`` on the stack in moto (``--aws``: boto3's own
endpoint, which the moto mock intercepts): the ops API's operations from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import pytest
from autopilot.models.ops import Caller, InstanceClassRequest
from autopilot.operations.ops_database import propose_class_change
from autopilot.settings.ops import get_ops_settings
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.main import app
from typer.testing import CliRunner

from tests.helpers.clients import clients
from tests.helpers.deployed import deploy_as_template_says
from tests.helpers.stack_state import table_items, target

NOW = "2026-11-27T14:00:10Z"
AT = datetime.fromisoformat("2026-11-27T14:00:10+00:00")
DBA = Caller(arn="arn:aws:iam::123456789012:user/dba")


@pytest.fixture
def ops(stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]]) -> EmbeddedStack:
    function_env("OpsApiFunction")
    deploy_as_template_says(stack)  # --aws reads the stack's names from its Outputs
    return stack


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--aws", "--now", NOW] if args[0] != "actions" else [*args, "--aws"])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_scale_leases_a_floor_once_per_client_token(ops: EmbeddedStack) -> None:
    args = ("scale", "8", "--for", "30m", "--reason", "load test", "--client-token", "cli-token-1", "--json")
    code, out, _ = cli(*args)
    first = json.loads(out)
    assert code == 0 and (first["action"], first["to_min"]) == ("raise_floor", 8)
    assert target(ops)["MinCapacity"] == 8
    [lease] = table_items(ops, "LEASE#")
    assert lease["expires_at"] == "2026-11-27T14:30:10Z"
    code, out, _ = cli(*args)
    assert code == 0 and json.loads(out)["replayed"] is True
    code, _, err = cli("scale", "9", "--for", "30m", "--reason", "again", "--client-token", "cli-token-1")
    assert code == 1 and "already used" in err and target(ops)["MinCapacity"] == 8


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("scale", "8", "--for", "soon", "--reason", "x y z"), "--for 'soon'"),
        (("scale", "8", "--for", "2m", "--reason", "x y z"), "duration_minutes"),
        (("scale", "0", "--for", "30m", "--reason", "x y z"), "tasks"),
        (("scale", "8", "--for", "30m", "--reason", "x y z", "--now", "yesterday"), "--now 'yesterday'"),
    ],
)
def test_bad_scale_arguments_change_nothing(ops: EmbeddedStack, args: tuple[str, ...], message: str) -> None:
    result = CliRunner().invoke(app, [*args, "--aws"])
    assert result.exit_code == 2 and message in result.stderr
    assert target(ops)["MinCapacity"] == 3 and table_items(ops, "LEASE#") == []


def test_a_refused_floor_exits_3_with_the_reason(ops: EmbeddedStack) -> None:
    code, out, _ = cli("scale", "25", "--for", "1h", "--reason", "big sale")
    assert code == 3 and "above MaxCapacity 20" in out and target(ops)["MinCapacity"] == 3


def test_actions_lists_the_decision_log(ops: EmbeddedStack) -> None:
    cli("scale", "6", "--for", "1h", "--reason", "warm up", "--client-token", "cli-token-2")
    code, out, _ = cli("actions", "--json", "--limit", "5")
    page = json.loads(out)
    assert code == 0 and [a["function"] for a in page["items"]] == ["ops-scale"]
    assert "warm up" in page["items"][0]["reason"] and "arn:aws:" in page["items"][0]["reason"]
    code, out, _ = cli("actions")
    assert code == 0 and "raise_floor" in out and "end of the log" in out


def test_approvals_lists_pending_ones_and_reject_answers_by_id(ops: EmbeddedStack) -> None:
    request = InstanceClassRequest.model_validate({"class": "db.t3.large", "reason": "CPU high"})
    proposal = propose_class_change(clients(), request, DBA, AT, get_ops_settings())
    code, out, _ = cli("approvals", "--json")
    assert code == 0 and [a["approval_id"] for a in json.loads(out)] == [proposal.approval_id]
    assert "task_token" not in out
    code, out, _ = cli("approvals")
    assert proposal.approval_id in out and "db.t3.large" in out
    code, out, _ = cli("reject", proposal.approval_id, "--comment", "not during the sale")
    assert code == 0 and out.startswith("rejected")
    code, out, _ = cli("approvals")
    assert "no pending approvals" in out
    code, out, _ = cli("approvals", "--all", "--json")
    assert [(a["status"], a["comment"]) for a in json.loads(out)] == [("rejected", "not during the sale")]
