"""Every ``$.<step>.output.<field>`` path the state machine reads exists on the result model of what writes it.

Each Task state stores its Lambda's answer at ``ResultPath`` (``{"output": <answer>}``); a Choice, Wait or a later
Task then reads fields of it by JSONPath. A field renamed in Python (or misspelt in the ASL) would make a Choice
fall through to its Default without any error, so the paths are held to the pydantic models here. A Task that is
passed a step's whole answer (``"<field>.$": "$.<step>.output"``) reads it back as ``TaskInput.<field>``: that field's
type must be the model of every state that writes the step.
"""

from __future__ import annotations

import copy
import json
import re
import types
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from autopilot.models.approval import Approval
from autopilot.models.assessment import Assessment
from autopilot.models.replica import PromotionResult, ReplicaVerdict
from autopilot.models.scaling import RestoreDecision, ScalingDecision
from autopilot.models.task_input import TaskInput
from pydantic import BaseModel

from tests.template.conftest import ROOT

ASL = ROOT / "statemachines" / "remediation.asl.json"
READ_PATH = re.compile(r"\$\.(\w+)\.output((?:\.\w+)+)")
HANDOFF = re.compile(r"^\$\.(\w+)\.output$")
FUNCTION_ARN = re.compile(r"^\$\{(\w+Function)Arn\}$")
# What each Lambda returns; a callback task (``.waitForTaskToken``) stores what SendTaskSuccess sent instead.
RESULT_MODELS: dict[str, type[BaseModel]] = {
    "AssessFunction": Assessment,
    "EmergencyScaleFunction": ScalingDecision,
    "RestoreCapacityFunction": RestoreDecision,
    "ReplicaCheckFunction": ReplicaVerdict,
    "PromoteReplicaFunction": PromotionResult,
}
CALLBACK_MODELS: dict[str, type[BaseModel]] = {"OpsApiFunction": Approval}


def _states(machine: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, state in machine["States"].items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from _states(branch)


def _step(state: dict[str, Any]) -> str | None:
    path = state.get("ResultPath")
    return path[2:] if isinstance(path, str) and re.fullmatch(r"\$\.\w+", path) else None


def writers(machine: dict[str, Any]) -> dict[str, dict[str, type[BaseModel]]]:
    """Step (``$.<step>``) → {state that writes its ``output``: the model of what it writes}."""
    found: dict[str, dict[str, type[BaseModel]]] = {}
    for name, state in _states(machine):
        step = _step(state)
        if step is None:
            continue
        if state["Type"] == "Task" and "output.$" in state.get("ResultSelector", {}):
            match = FUNCTION_ARN.match(str(state["Parameters"]["FunctionName"]))
            assert match, f"{name}: FunctionName {state['Parameters']['FunctionName']!r} is not a ${{…FunctionArn}}"
            callback = state["Resource"].endswith(".waitForTaskToken")
            models = CALLBACK_MODELS if callback else RESULT_MODELS
            assert match.group(1) in models, f"{name} writes $.{step}.output from {match.group(1)}: add its model here"
            found.setdefault(step, {})[name] = models[match.group(1)]
        elif state["Type"] == "Pass" and "output" in state.get("Result", {}):
            previous = next(iter(found.get(step, {}).values()), None)
            assert previous is not None, f"{name} writes $.{step}.output before any Task does: order the check"
            previous.model_validate(state["Result"]["output"])  # a constant answer must be a valid one
            found[step][name] = previous
    return found


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``Model``, ``Model | None`` or ``Optional[Model]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [m for m in map(_model_of, typing.get_args(annotation)) if m is not None]
        return inner[0] if len(inner) == 1 else None
    return None


def missing_field(model: type[BaseModel], fields: list[str]) -> str | None:
    """The first field of ``fields`` (a dotted path below ``output``) that ``model`` does not have, or None."""
    current: type[BaseModel] | None = model
    for depth, field in enumerate(fields):
        if current is None:
            return ".".join(fields[: depth + 1])
        if field in current.model_computed_fields:
            current = _model_of(current.model_computed_fields[field].return_type)
            continue
        if field not in current.model_fields:
            return ".".join(fields[: depth + 1])
        current = _model_of(current.model_fields[field].annotation)
    return None


def unknown_paths(machine: dict[str, Any]) -> list[str]:
    """Every ``$.<step>.output.…`` path read that no writer's model has (or that nothing writes)."""
    by_step = writers(machine)
    problems = []
    for step, dotted in sorted(set(READ_PATH.findall(json.dumps(machine)))):
        fields = dotted.strip(".").split(".")
        if step not in by_step:
            problems.append(f"$.{step}.output{dotted}: no Task writes $.{step}")
            continue
        for state, model in sorted(by_step[step].items()):
            missing = missing_field(model, fields)
            if missing is not None:
                problems.append(f"$.{step}.output{dotted}: {model.__name__} (written by {state}) has no {missing}")
    return problems


def _handoffs(machine: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(Task state, TaskInput field, step) for every whole answer a Task is passed."""
    for name, state in _states(machine):
        payload = state.get("Parameters", {}).get("Payload", {}) if state["Type"] == "Task" else {}
        for key, value in payload.items():
            match = HANDOFF.match(value) if key.endswith(".$") and isinstance(value, str) else None
            if match is not None:
                yield name, key[:-2], match.group(1)


def handoff_mismatches(machine: dict[str, Any]) -> list[str]:
    """Every whole answer passed into a Task that its TaskInput field does not type as the writer's model."""
    by_step = writers(machine)
    problems = []
    for name, field, step in _handoffs(machine):
        info = TaskInput.model_fields.get(field)
        model = _model_of(info.annotation) if info is not None else None
        if not by_step.get(step):
            problems.append(f"{name} passes $.{step}.output as {field}: no Task writes $.{step}")
        for writer, written in sorted(by_step.get(step, {}).items()):
            if model is not written:
                typed = model.__name__ if model is not None else "no model"
                problems.append(
                    f"{name} passes $.{step}.output as {field}: TaskInput has {typed}, {writer} writes "
                    f"{written.__name__}"
                )
    return problems


@pytest.fixture(scope="module")
def machine() -> dict[str, Any]:
    return json.loads(ASL.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_every_output_path_the_workflow_reads_is_a_field_of_its_writers_model(machine: dict[str, Any]) -> None:
    assert not unknown_paths(machine)


def test_the_check_sees_the_workflows_reads(machine: dict[str, Any]) -> None:
    read = {step for step, _ in READ_PATH.findall(json.dumps(machine))}
    assert {"assessment", "decision", "restore", "verdict", "promotion", "approval"} <= read
    assert set(writers(machine)["verification"]) == {"Verify"}


def _misspelt(machine: dict[str, Any], right: str, wrong: str) -> dict[str, Any]:
    text = json.dumps(machine)
    assert right in text
    return json.loads(text.replace(right, wrong))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("right", "wrong", "named"),
    [
        ("$.decision.output.needs_approval", "$.decision.output.needs_aproval", "ScalingDecision"),
        ("$.assessment.output.kind", "$.assessment.output.kinds", "Assessment"),
        ("$.restore.output.recheck_in_seconds", "$.restore.output.recheck_seconds", "RestoreDecision"),
        ("$.promotion.output.taken", "$.promotion.output.token", "PromotionResult"),
        ("$.approval.output.approved", "$.approval.output.approve", "Approval"),
        ("$.verdict.output.next_step", "$.verdikt.output.next_step", "no Task writes $.verdikt"),
    ],
)
def test_a_misspelt_path_is_caught(machine: dict[str, Any], right: str, wrong: str, named: str) -> None:
    problems = unknown_paths(_misspelt(machine, right, wrong))
    assert problems and all(named in problem and wrong.rsplit(".", 1)[-1] in problem for problem in problems), problems


def test_a_constant_answer_that_is_not_a_valid_result_is_caught(machine: dict[str, Any]) -> None:
    broken = copy.deepcopy(machine)
    broken["States"]["ScaleApprovalTimedOut"]["Result"]["output"] = {"approved": "no"}
    with pytest.raises(ValueError, match="approved"):
        writers(broken)


def test_every_answer_a_task_is_passed_is_typed_as_its_writers_model(machine: dict[str, Any]) -> None:
    assert {field for _, field, _ in _handoffs(machine)} >= {"assessment", "decision", "verification", "promotion"}
    assert not handoff_mismatches(machine)


@pytest.mark.parametrize(
    ("right", "wrong", "named"),
    [
        ('"decision.$": "$.decision.output"', '"decision.$": "$.verdict.output"', "has ScalingDecision, ReplicaCheck"),
        (
            '"promotion.$": "$.promotion.output"',
            '"promoted.$": "$.promotion.output"',
            "as promoted: TaskInput has no model",
        ),
        ('"restore.$": "$.restore.output"', '"restore.$": "$.restored.output"', "no Task writes $.restored"),
    ],
)
def test_an_answer_passed_into_the_wrong_field_is_caught(
    machine: dict[str, Any], right: str, wrong: str, named: str
) -> None:
    problems = handoff_mismatches(_misspelt(machine, right, wrong))
    assert problems and all(named in problem for problem in problems), problems
