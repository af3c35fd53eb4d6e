"""The pure logic reads no environment: no module under ``autopilot/logic/`` imports the settings or ``os.environ``.

The operations build plain policies (``autopilot.models.policy``) from the settings and pass them in, so a logic
test's result never depends on the variables of the shell that runs it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LOGIC = Path(__file__).resolve().parents[2] / "functions" / "autopilot" / "logic"
FORBIDDEN_MODULES = ("autopilot.settings", "os", "pydantic_settings", "dotenv")
FORBIDDEN_NAMES = {"environ", "getenv", "putenv"}


def _forbidden(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in FORBIDDEN_MODULES)


def environment_reads(source: str) -> list[str]:
    """What in ``source`` imports the settings or reads the process environment, with line numbers."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if _forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names = {a.name for a in node.names}
            if _forbidden(node.module) or (node.module == "autopilot" and "settings" in names):
                found.append(f"line {node.lineno}: from {node.module} import {', '.join(sorted(names))}")
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_NAMES:
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


@pytest.mark.parametrize("path", sorted(LOGIC.glob("*.py")), ids=lambda p: p.name)
def test_no_logic_module_reads_settings_or_the_environment(path: Path) -> None:
    found = environment_reads(path.read_text(encoding="utf-8"))
    assert not found, (
        f"{path.name} reads the environment ({'; '.join(found)}): take a policy from autopilot.models.policy "
        "as a parameter and let the operation build it from the settings"
    )


def test_the_logic_package_is_where_the_walk_looks() -> None:
    assert len(list(LOGIC.glob("*.py"))) > 10


@pytest.mark.parametrize(
    "source",
    [
        "from autopilot.settings.scaling import ScalingSettings",
        "from autopilot import settings",
        "import autopilot.settings.common",
        "import os\nx = os.environ['HEADROOM']",
        "from os import getenv",
        "from pydantic_settings import BaseSettings",
    ],
)
def test_each_way_in_is_caught(source: str) -> None:
    assert environment_reads(source)


def test_plain_models_and_policies_are_allowed() -> None:
    assert not environment_reads("from autopilot.models.policy import ScalingPolicy\nimport math")
