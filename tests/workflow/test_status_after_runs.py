"""``autopilot status`` after workflow runs: the decisions the workflow took, "no action" ones included."""

from __future__ import annotations

from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.status import collect_current

from tests.workflow.conftest import Run, load_event


def test_status_lists_the_decisions_of_three_workflow_runs(run: Run, stack: EmbeddedStack) -> None:
    for name, now in (
        ("workflow-cpu-emergency.json", "2026-11-27T14:00:10Z"),
        ("workflow-replica-lag.json", "2026-11-27T14:03:00Z"),
        ("workflow-foreign-alarm.json", "2026-11-27T14:05:00Z"),
    ):
        assert run(load_event(name), now=now).status == "SUCCEEDED"

    decisions = collect_current()["recent_decisions"]

    assert [(d["function"], d["action"]) for d in decisions] == [
        ("emergency-scale", "none"),
        ("ReplicaCheckFunction", "replica_check"),
        ("emergency-scale", "raise_floor"),
    ]
