"""Shared pieces of the template gates: where the repository and the tools are, how to run them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from autopilot_cli.template_model import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
REGION = "us-east-2"


def find_tool(name: str, venv: str) -> Path:
    """A tool from PATH (``make test`` puts the tool venvs there) or from its venv under the repository."""
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    local = ROOT / venv / "bin" / name
    if local.is_file():
        return local
    pytest.fail(f"{name} is not on PATH nor at {venv}/bin/{name}: run `make tools` (make test installs it)")


def run_tool(command: list[str | Path], timeout: float = 240, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a tool from the repository root with telemetry off; the caller asserts on the result."""
    full_env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": REGION, **env}
    return subprocess.run(
        [str(part) for part in command],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def project_tool(name: str) -> Path:
    """A tool installed in the project's own environment (next to this interpreter), else from .venv or PATH."""
    beside = Path(sys.executable).parent / name
    return beside if beside.is_file() else find_tool(name, ".venv")


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    """template.yaml as CloudFormation reads it (short-form intrinsics expanded). Do not mutate."""
    return load_template(TEMPLATE)
