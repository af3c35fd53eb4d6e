"""Models live in ``autopilot/models/`` and each public name means one thing across the package."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "autopilot"
MODEL_BASES = {"BaseModel", "EventBridgeModel", "RootModel"}
# Still beside the code that builds them, until their flows move to operations/ (issue 12).
NOT_YET_MOVED = {("logic/notify_format.py", "Message"), ("logic/cost_report.py", "ReportInputs")}
SAME_NAME_BY_DESIGN = {"handler"}  # every Lambda entry point is ``handler`` (template.yaml's Handler)


def _modules() -> list[tuple[str, ast.Module]]:
    return [(str(p.relative_to(PACKAGE)), ast.parse(p.read_text(encoding="utf-8"))) for p in PACKAGE.rglob("*.py")]


def _base_names(node: ast.ClassDef) -> set[str]:
    return {b.id if isinstance(b, ast.Name) else b.attr for b in node.bases if isinstance(b, ast.Name | ast.Attribute)}


def models_outside_models(modules: list[tuple[str, ast.Module]]) -> list[tuple[str, str]]:
    found = []
    for path, tree in modules:
        if path.startswith(("models/", "settings/")):
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and _base_names(node) & MODEL_BASES:
                found.append((path, node.name))
    return sorted(set(found) - NOT_YET_MOVED)


def names_defined_twice(modules: list[tuple[str, ast.Module]]) -> dict[str, list[str]]:
    where: dict[str, list[str]] = defaultdict(list)
    for path, tree in modules:
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                where[node.name].append(path)
    return {name: paths for name, paths in where.items() if len(paths) > 1 and name not in SAME_NAME_BY_DESIGN}


def test_every_pydantic_model_is_in_models() -> None:
    assert models_outside_models(_modules()) == []


def test_each_public_name_is_defined_once() -> None:
    assert names_defined_twice(_modules()) == {}


def test_the_checks_catch_a_stray_model_and_a_second_meaning() -> None:
    stray = ast.parse("from pydantic import BaseModel\nclass Plan(BaseModel):\n    x: int\n")
    twice = ast.parse("def decide_scale_out() -> None: ...\n")
    modules = [*_modules(), ("logic/extra.py", stray), ("operations/other.py", twice)]
    assert models_outside_models(modules) == [("logic/extra.py", "Plan")]
    assert names_defined_twice(modules) == {"decide_scale_out": ["logic/scaling.py", "operations/other.py"]}
