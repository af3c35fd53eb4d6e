"""RestoreCapacityFunction and SweeperFunction on moto: what each restore records in the audit trail, what it reads,
dry runs, manual recoveries, and a target whose lock another action holds."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from autopilot.handlers import emergency_scale, restore_capacity, sweeper
from autopilot.models.records import AuditRecord, Lease
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.helpers.aws_env import settings_env
from tests.helpers.clients import state_table
from tests.helpers.faults import count_calls, on_call
from tests.helpers.held_lock import hold_capacity_lock
from tests.helpers.stack_state import set_target, table_items, target

EVENTS = Path(__file__).resolve().parents[2] / "events"
CPU_ALARM = "sensor-autopilot-cpu-emergency"


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


def alarm_at(state: str, at: str, alarm: str = CPU_ALARM) -> dict[str, Any]:
    """An alarm event for ``alarm`` turning ``state`` at ``at``, mirrored into CloudWatch as AWS would have it."""
    event = load("alarm-cpu-recovered.json" if state == "OK" else "alarm-cpu-emergency.json")
    event["time"] = at
    event["resources"] = [f"arn:aws:cloudwatch:us-east-2:123456789012:alarm:{alarm}"]
    event["detail"]["alarmName"] = alarm
    event["detail"]["state"]["timestamp"] = at
    mirror_alarm_state(event, "us-east-2")
    return event


def manual_recovered(at: str) -> dict[str, Any]:
    return {
        "source": "autopilot.manual",
        "kind": "recovered",
        "requested_by": "sre",
        "reason": "load is back",
        "time": at,
    }


def sweep_at(at: str, context: LocalLambdaContext) -> dict[str, Any]:
    result: dict[str, Any] = sweeper.handler(load("schedule-sweeper.json") | {"time": at}, context)
    return result


def audit(stack: EmbeddedStack, function: str) -> list[AuditRecord]:
    """The target's decisions by ``function``, newest first."""
    records = state_table(stack.table_name).latest_records(stack.resource_id, 50)
    return [r for r in records if r.function == function]


def test_a_restore_after_recovery_is_audited_with_what_it_saw_and_what_it_changed(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    event = {"trigger": alarm_at("OK", "2026-11-27T14:20:05Z"), "now": "2026-11-27T14:23:06Z"}
    result = restore_capacity.handler(event, lambda_context)
    [record] = audit(raised, "restore-capacity")
    assert (record.resource_id, record.at) == (raised.resource_id, datetime(2026, 11, 27, 14, 23, 6, tzinfo=UTC))
    assert (record.action, record.taken, record.dry_run) == ("restore_floor", True, False)
    assert record.reason == result["reason"] and record.alarm_name == CPU_ALARM
    assert record.changes == {"min": [6, 3]}
    assert record.cost_impact.tasks_delta == -3 and record.cost_impact.hourly_usd < 0
    assert record.cost_impact.model_dump(mode="json") == result["cost_impact"]
    inputs = record.inputs
    assert (inputs["now"], inputs["ok_since"], inputs["alarm_state"]) == (
        "2026-11-27T14:23:06Z",
        "2026-11-27T14:20:05Z",
        "OK",
    )
    assert (inputs["recovered_alarm"], inputs["final_check"], inputs["dry_run"], inputs["by_expiry"]) == (
        CPU_ALARM,
        False,
        False,
        False,
    )
    assert (inputs["baseline_min"], inputs["cooldown_seconds"]) == (3, 180)
    assert inputs["target"] == {"resource_id": raised.resource_id, "min": 6, "max": 20}
    assert (inputs["lease"]["original_min"], inputs["lease"]["leased_min"]) == (3, 6)
    assert inputs["task_hourly_usd"] > 0
    assert len(table_items(raised, f"ACTIONS#{CPU_ALARM}")) == 2  # the raise and the restore, for the hourly limit


def test_a_dry_run_restore_records_what_it_would_do_and_changes_nothing(
    raised: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, lambda_context: LocalLambdaContext
) -> None:
    event = {"trigger": alarm_at("OK", "2026-11-27T14:20:05Z"), "now": "2026-11-27T14:23:06Z"}
    with (
        settings_env(monkeypatch, {"DRY_RUN": "true"}),
        count_calls("application-autoscaling", "RegisterScalableTarget") as registered,
    ):
        result = restore_capacity.handler(event, lambda_context)
    assert (result["action"], result["taken"], result["dry_run"], result["to_min"]) == ("restore_floor", False, True, 3)
    assert registered.calls == 0 and target(raised)["MinCapacity"] == 6 and len(table_items(raised, "LEASE#")) == 1
    [record] = audit(raised, "restore-capacity")
    assert (record.action, record.taken, record.dry_run, record.inputs["dry_run"]) == (
        "restore_floor",
        False,
        True,
        True,
    )


def test_a_dry_run_over_a_floor_someone_changed_keeps_the_lease(
    raised: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, lambda_context: LocalLambdaContext
) -> None:
    set_target(raised, min_capacity=8)
    event = {"trigger": alarm_at("OK", "2026-11-27T14:20:05Z"), "now": "2026-11-27T14:30:00Z"}
    with settings_env(monkeypatch, {"DRY_RUN": "true"}):
        result = restore_capacity.handler(event, lambda_context)
    assert (result["action"], result["taken"]) == ("drop_lease", False)
    assert len(table_items(raised, "LEASE#")) == 1 and target(raised)["MinCapacity"] == 8


def test_a_manual_recovery_counts_as_ok_since_its_time_and_is_audited_under_the_leases_alarm(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    """The CPU alarm itself is still in ALARM: the operator's word is the recovery."""
    early = restore_capacity.handler(
        {"trigger": manual_recovered("2026-11-27T14:30:00Z"), "now": "2026-11-27T14:31:00Z"}, lambda_context
    )
    assert early["action"] == "none" and "OK since 2026-11-27T14:30:00+00:00 (60 s)" in early["reason"]
    result = restore_capacity.handler(
        {"trigger": manual_recovered("2026-11-27T14:30:00Z"), "now": "2026-11-27T14:33:00Z"}, lambda_context
    )
    assert (result["action"], result["taken"], result["to_min"]) == ("restore_floor", True, 3)
    assert target(raised)["MinCapacity"] == 3 and table_items(raised, "LEASE#") == []
    record = audit(raised, "restore-capacity")[0]
    assert record.alarm_name == CPU_ALARM
    assert (record.inputs["recovered_alarm"], record.inputs["alarm_state"], record.inputs["ok_since"]) == (
        None,
        "OK",
        "2026-11-27T14:30:00Z",
    )


def test_a_manual_recovery_without_a_lease_is_audited_without_an_alarm(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("RestoreCapacityFunction")
    result = restore_capacity.handler(
        {"trigger": manual_recovered("2026-11-27T14:30:00Z"), "now": "2026-11-27T14:40:00Z"}, lambda_context
    )
    assert result["action"] == "none" and f"no floor lease is active on {stack.resource_id}" in result["reason"]
    [record] = audit(stack, "restore-capacity")
    assert (record.action, record.taken, record.alarm_name) == ("none", False, None)


def test_another_alarms_recovery_is_audited_under_the_alarm_that_recovered(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    at_max_ok = alarm_at("OK", "2026-11-27T14:10:00Z", alarm="sensor-autopilot-at-max-capacity")
    restore_capacity.handler({"trigger": at_max_ok, "now": "2026-11-27T14:30:00Z"}, lambda_context)
    [record] = audit(raised, "restore-capacity")
    assert (record.action, record.alarm_name) == ("none", "sensor-autopilot-at-max-capacity")
    assert record.inputs["alarm_state"] == "ALARM" and record.inputs["ok_since"] is None


def test_a_restore_finding_the_target_locked_changes_nothing_and_says_so(
    raised: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, lambda_context: LocalLambdaContext
) -> None:
    hold_capacity_lock(monkeypatch, raised.table_name, raised.resource_id, datetime(2026, 11, 27, 14, 23, tzinfo=UTC))
    event = {"trigger": alarm_at("OK", "2026-11-27T14:20:05Z"), "now": "2026-11-27T14:23:06Z"}
    with settings_env(monkeypatch, {"DRY_RUN": "true"}):
        result = restore_capacity.handler(event, lambda_context)
    busy = f"another action on {raised.resource_id} is in progress; this one changed nothing"
    assert (result["action"], result["taken"], result["in_progress"], result["dry_run"]) == ("none", False, True, True)
    assert result["reason"].startswith(busy) and result["summary"] == f"No change: {result['reason']}"
    assert target(raised)["MinCapacity"] == 6 and audit(raised, "restore-capacity") == []


def test_the_sweeper_audits_an_expired_lease_without_reading_its_alarm(
    raised: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("SweeperFunction")
    with count_calls("cloudwatch", "DescribeAlarms") as described:
        result = sweep_at("2026-11-27T15:05:00Z", lambda_context)
    assert described.calls == 0  # past its expiry, the lease comes down whatever its alarm says
    assert result["summary"] == "1 lease(s) restored, 0 left; 0 raised maximum(s) lowered"
    assert (result["skipped"], result["maxima"], result["dry_run"]) == ([], [], False)
    [restored] = result["restored"]
    assert (restored["resource_id"], restored["action"], restored["to_min"]) == (raised.resource_id, "restore_floor", 3)
    assert "the lease expired at 2026-11-27T15:00:05+00:00" in restored["reason"]
    [record] = audit(raised, "sweeper")
    assert (record.action, record.taken, record.alarm_name, record.changes) == (
        "restore_floor",
        True,
        CPU_ALARM,
        {"min": [6, 3]},
    )
    assert record.at == datetime(2026, 11, 27, 15, 5, tzinfo=UTC) and record.cost_impact.tasks_delta == -3
    inputs = record.inputs
    assert (inputs["by_expiry"], inputs["final_check"], inputs["alarm_state"], inputs["ok_since"]) == (
        True,
        True,
        None,
        None,
    )
    assert inputs["recovered_alarm"] == CPU_ALARM and inputs["task_hourly_usd"] > 0


def test_the_sweeper_leaves_a_lease_whose_alarm_is_still_in_alarm_and_records_the_alarm_as_read(
    raised: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("SweeperFunction")
    result = sweep_at("2026-11-27T14:30:00Z", lambda_context)
    assert result["summary"] == "0 lease(s) restored, 1 left; 0 raised maximum(s) lowered"
    [left] = result["skipped"]
    assert (left["resource_id"], left["action"], left["taken"]) == (raised.resource_id, "none", False)
    [record] = audit(raised, "sweeper")
    assert (record.inputs["alarm_state"], record.inputs["ok_since"], record.inputs["by_expiry"]) == (
        "ALARM",
        None,
        False,
    )


def test_the_sweeper_does_not_ask_for_a_recheck_it_restores_after_the_cooldown_itself(
    raised: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    alarm_at("OK", "2026-11-27T14:20:05Z")
    function_env("SweeperFunction")
    [left] = sweep_at("2026-11-27T14:21:05Z", lambda_context)["skipped"]
    assert left["reason"].endswith("the sweeper restores it then") and left["recheck_at"] is None
    [record] = audit(raised, "sweeper")
    assert (record.inputs["ok_since"], record.inputs["final_check"]) == ("2026-11-27T14:20:05Z", True)


def test_a_dry_run_sweep_leaves_an_expired_lease_and_says_what_it_would_restore(
    raised: EmbeddedStack,
    function_env: Callable[[str], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: LocalLambdaContext,
) -> None:
    function_env("SweeperFunction")
    with settings_env(monkeypatch, {"DRY_RUN": "true"}):
        result = sweep_at("2026-11-27T15:05:00Z", lambda_context)
    assert result["dry_run"] is True and result["restored"] == []
    assert result["summary"] == "0 lease(s) restored, 1 left; 0 raised maximum(s) lowered"
    [left] = result["skipped"]
    assert (left["action"], left["taken"], left["dry_run"], left["to_min"]) == ("restore_floor", False, True, 3)
    assert target(raised)["MinCapacity"] == 6 and len(table_items(raised, "LEASE#")) == 1


def test_the_sweeper_skips_a_lease_whose_target_another_action_holds(
    raised: EmbeddedStack,
    function_env: Callable[[str], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: LocalLambdaContext,
) -> None:
    function_env("SweeperFunction")
    hold_capacity_lock(monkeypatch, raised.table_name, raised.resource_id, datetime(2026, 11, 27, 15, 4, tzinfo=UTC))
    result = sweep_at("2026-11-27T15:05:00Z", lambda_context)
    assert result["skipped"] == [{"resource_id": raised.resource_id, "reason": "another action on it is in progress"}]
    assert result["restored"] == [] and result["summary"].startswith("0 lease(s) restored, 1 left;")
    assert target(raised)["MinCapacity"] == 6 and audit(raised, "sweeper") == []


def test_a_manual_lease_is_swept_without_reading_any_alarm(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("EmergencyScaleFunction")
    manual = load("manual-scale-out.json")  # 3 tasks at 90 %: the floor goes to 5 under "manual:sre-on-call"
    assert emergency_scale.handler(manual, lambda_context)["taken"] is True
    function_env("SweeperFunction")
    with count_calls("cloudwatch", "DescribeAlarms") as described:
        result = sweep_at("2026-11-27T14:30:00Z", lambda_context)
    assert described.calls == 0 and result["restored"] == []
    [left] = result["skipped"]
    assert "the alarm is unknown, not OK" in left["reason"]
    assert audit(stack, "sweeper")[0].alarm_name == "manual:sre-on-call"


def test_a_lease_whose_target_another_action_holds_does_not_hold_up_the_other_leases(
    raised: EmbeddedStack,
    function_env: Callable[[str], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: LocalLambdaContext,
) -> None:
    other = "service/sensor-app-cluster/another-service"  # listed before the stack's own service
    expires = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    lease = Lease(
        resource_id=other,
        original_min=2,
        leased_min=4,
        raised_at=expires - timedelta(hours=1),
        expires_at=expires,
        alarm_name=CPU_ALARM,
        episode="another",
    )
    state_table(raised.table_name).put_lease(lease)
    hold_capacity_lock(monkeypatch, raised.table_name, other, datetime(2026, 11, 27, 15, 4, tzinfo=UTC))
    function_env("SweeperFunction")
    result = sweep_at("2026-11-27T15:05:00Z", lambda_context)
    assert result["skipped"] == [{"resource_id": other, "reason": "another action on it is in progress"}]
    assert [r["resource_id"] for r in result["restored"]] == [raised.resource_id]
    assert target(raised)["MinCapacity"] == 3


def test_the_workflows_look_after_the_cooldown_is_its_last_and_leaves_a_flapped_alarm_to_the_sweeper(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    first_ok = alarm_at("OK", "2026-11-27T14:20:05Z")
    first = restore_capacity.handler({"trigger": first_ok, "now": "2026-11-27T14:20:09Z"}, lambda_context)
    assert (first["action"], first["recheck_at"]) == ("none", "2026-11-27T14:23:05Z")
    alarm_at("ALARM", "2026-11-27T14:21:00Z")
    alarm_at("OK", "2026-11-27T14:22:00Z")  # OK again, 65 s before the look the workflow waited for
    last = restore_capacity.handler({"trigger": first_ok, "restore": first}, lambda_context)
    assert last["action"] == "none" and last["reason"].endswith("the sweeper restores it then")
    assert (last["recheck_at"], last["recheck_in_seconds"]) == (None, None)
    record = audit(raised, "restore-capacity")[0]
    assert (record.at, record.inputs["final_check"]) == (datetime(2026, 11, 27, 14, 23, 5, tzinfo=UTC), True)
    assert target(raised)["MinCapacity"] == 6


def test_a_lease_replaced_while_the_floor_was_lowered_is_not_deleted(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    """Only the lease the restore decided over is closed; one written meanwhile (a newer raise) stays."""
    table = state_table(raised.table_name)
    replaced: list[Lease] = []

    def replace_the_lease(**_: Any) -> None:
        if not replaced:
            current = table.get_lease(raised.resource_id)
            assert current is not None
            replaced.append(table.put_lease(current.model_copy(update={"episode": "newer"}), replaces=current))

    with on_call("application-autoscaling", "RegisterScalableTarget", replace_the_lease):
        event = {"trigger": alarm_at("OK", "2026-11-27T14:20:05Z"), "now": "2026-11-27T14:23:06Z"}
        result = restore_capacity.handler(event, lambda_context)
    assert (result["action"], result["taken"]) == ("restore_floor", True)
    kept = table.get_lease(raised.resource_id)
    assert kept is not None and (kept.episode, kept.version) == ("newer", replaced[0].version)
