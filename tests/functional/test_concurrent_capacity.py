"""Concurrent raises and restores on the embedded stack: whatever the interleaving, the lease and the scalable target
agree, every raised floor has a lease, and every floor comes back to the original.

Each seed starts the same kinds of action in a seeded order and mix (two alarms, a retry of one, a manual
request, a sweep) on threads released together; the invariants are checked after each round and after the
final sweep. The seeds are fixed, so a failure names the seed that shows it.
"""

from __future__ import annotations

import copy
import json
import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from autopilot.handlers import emergency_scale, sweeper
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.helpers.clients import state_table
from tests.helpers.faults import on_call
from tests.helpers.stack_state import set_running, target

EVENTS = Path(__file__).resolve().parents[2] / "events"
SEEDS = range(12)
ORIGINAL_MIN = 3
START = datetime.fromisoformat("2026-11-27T14:00:05+00:00")


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def alarm_event(alarm: str, at: datetime, cpu: float) -> dict[str, Any]:
    event = load("alarm-cpu-emergency.json")
    event["time"] = event["detail"]["state"]["timestamp"] = stamp(at)
    event["resources"] = [f"arn:aws:cloudwatch:us-east-2:123456789012:alarm:{alarm}"]
    event["detail"]["alarmName"] = alarm
    event["detail"]["state"]["reasonData"] = json.dumps({"recentDatapoints": [cpu], "threshold": 85.0})
    mirror_alarm_state(event, "us-east-2")
    return event


def round_actions(seed: int, at: datetime) -> list[tuple[str, dict[str, Any]]]:
    """The actions of one round, in a seeded mix and order."""
    rng = random.Random(seed)
    cpu_alarm = alarm_event("sensor-autopilot-cpu-emergency", at, rng.uniform(86, 100))
    manual = load("manual-scale-out.json") | {"time": stamp(at), "cpu_percent": round(rng.uniform(70, 100), 1)}
    actions = [("EmergencyScaleFunction", cpu_alarm), ("EmergencyScaleFunction", manual)]
    if rng.random() < 0.5:
        actions.append(("EmergencyScaleFunction", copy.deepcopy(cpu_alarm)))  # a retry of the same delivery
    if rng.random() < 0.5:
        actions.append(("SweeperFunction", load("schedule-sweeper.json") | {"time": stamp(at)}))
    rng.shuffle(actions)
    return actions


def run_together(actions: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    handlers: dict[str, Callable[..., dict[str, Any]]] = {
        "EmergencyScaleFunction": emergency_scale.handler,
        "SweeperFunction": sweeper.handler,
    }
    start = threading.Barrier(len(actions))
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def act(logical_id: str, event: dict[str, Any]) -> None:
        start.wait(timeout=30)
        try:
            results.append(handlers[logical_id](event, LocalLambdaContext(function_name=logical_id)))
        except BaseException as exc:  # reported below with the seed
            errors.append(exc)

    threads = [threading.Thread(target=act, args=action) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def assert_agree(stack: EmbeddedStack, results: list[dict[str, Any]], seed: int) -> None:
    floor = int(target(stack)["MinCapacity"])
    lease = state_table(stack.table_name).get_lease(stack.resource_id)
    if floor > ORIGINAL_MIN:
        assert lease is not None, f"seed {seed}: floor {floor} raised without a lease"
    if lease is not None:
        reported = any("reads" in str(r.get("reason", "")) for r in results)
        assert lease.leased_min == floor or reported, f"seed {seed}: lease {lease.leased_min} vs target {floor}"
        assert lease.original_min == ORIGINAL_MIN, f"seed {seed}: the lease lost the original floor"


@pytest.mark.parametrize("seed", SEEDS)
def test_concurrent_raises_leave_lease_and_target_in_agreement(
    seed: int,
    stack: EmbeddedStack,
    function_env: Callable[[str], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    function_env("EmergencyScaleFunction")
    monkeypatch.setenv("SCALE_IN_COOLDOWN_SECONDS", "180")
    set_running(stack, random.Random(seed).choice([3, 4, 6]))
    at = START
    for _round in range(2):
        results = run_together(round_actions(seed, at))
        assert_agree(stack, results, seed)
        at += timedelta(minutes=5)
    late = load("schedule-sweeper.json") | {"time": stamp(at + timedelta(hours=2))}
    sweeper.handler(late, LocalLambdaContext(function_name="SweeperFunction"))
    assert int(target(stack)["MinCapacity"]) == ORIGINAL_MIN, f"seed {seed}: the floor did not come back"
    assert state_table(stack.table_name).list_leases() == []


def test_a_raise_overtaken_between_its_lease_and_its_floor_leaves_them_in_agreement(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]]
) -> None:
    """The first raise is held just before it writes the floor while a bigger one (a manual request) runs: the
    lease and the target must not end up from different raises."""
    function_env("EmergencyScaleFunction")
    first_write, second_done = threading.Event(), threading.Event()
    held: list[str] = []

    def hold_the_first_write(**_: Any) -> None:
        if threading.current_thread().name == "alarm" and not held:
            held.append("alarm")
            first_write.set()
            assert second_done.wait(timeout=60)

    with on_call("application-autoscaling", "RegisterScalableTarget", hold_the_first_write):
        alarm = alarm_event("sensor-autopilot-cpu-emergency", START, 86.0)  # 3 tasks at 86 %: floor 5
        manual = load("manual-scale-out.json") | {"time": stamp(START), "cpu_percent": 100.0}  # floor 6
        results: dict[str, dict[str, Any]] = {}
        context = LocalLambdaContext(function_name="EmergencyScaleFunction")
        first = threading.Thread(
            target=lambda: results.update(alarm=emergency_scale.handler(alarm, context)), name="alarm"
        )
        first.start()
        assert first_write.wait(timeout=60)
        results["manual"] = emergency_scale.handler(manual, context)
        second_done.set()
        first.join(timeout=60)
    assert_agree(stack, list(results.values()), seed=-1)
    assert int(target(stack)["MinCapacity"]) > ORIGINAL_MIN
