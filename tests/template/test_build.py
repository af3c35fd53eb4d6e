"""`sam build` with the makefile build method: no Docker, no local Python 3.13, small arm64 packages.

The build runs once for this module, into a temporary directory (``make build`` writes .aws-sam/ the same way).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from autopilot_cli.template_model import function_handler, function_ids

from tests.template.conftest import ROOT, TEMPLATE, find_tool, run_tool

pytestmark = pytest.mark.build

MAX_PACKAGE_BYTES = 15_000_000  # 15 MB unpacked, per function
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sam = find_tool("sam", ".venv-sam")
    out = tmp_path_factory.mktemp("sam-build")
    # The Makefile's `python3` must have pip: the SAM environment's interpreter does.
    path = f"{sam.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    result = run_tool(
        [sam, "build", "--template-file", TEMPLATE, "--build-dir", out / "build", "--cache-dir", out / "cache"],
        timeout=600,
        PATH=path,
    )
    assert result.returncode == 0, f"sam build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return out / "build"


def _size(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def test_every_function_is_built_with_its_handler_module(build_dir: Path, template: dict[str, Any]) -> None:
    for logical_id in function_ids(template):
        module = function_handler(template, logical_id).rsplit(".", 1)[0]
        handler_file = build_dir / logical_id / (module.replace(".", "/") + ".py")
        assert handler_file.is_file(), f"{logical_id}: {handler_file.relative_to(build_dir)} missing from the build"


def test_every_package_is_under_15_mb_unpacked(build_dir: Path, template: dict[str, Any]) -> None:
    sizes = {logical_id: _size(build_dir / logical_id) for logical_id in function_ids(template)}
    too_big = {name: size for name, size in sizes.items() if size >= MAX_PACKAGE_BYTES}
    assert not too_big, f"packages of 15 MB or more: {too_big}"
    assert all(size > 1_000_000 for size in sizes.values()), f"packages without their dependencies? {sizes}"


def test_packages_leave_boto3_to_the_runtime(build_dir: Path, template: dict[str, Any]) -> None:
    for logical_id in function_ids(template):
        present = [name for name in RUNTIME_PROVIDED if (build_dir / logical_id / name).exists()]
        assert not present, f"{logical_id} bundles {present}: the Lambda runtime provides them"


def test_native_wheels_are_for_python_3_13_on_arm64(build_dir: Path, template: dict[str, Any]) -> None:
    for logical_id in function_ids(template):
        native = [path.name for path in (build_dir / logical_id / "pydantic_core").glob("*.so")]
        assert native, f"{logical_id}: pydantic_core has no compiled module"
        assert all("cpython-313" in name and "aarch64" in name for name in native), f"{logical_id}: {native}"


def test_the_makefile_has_one_build_target_per_function(template: dict[str, Any]) -> None:
    makefile = (ROOT / "functions" / "Makefile").read_text()
    targets = set(re.findall(r"^build-(\w+):", makefile, flags=re.MULTILINE))
    functions = set(function_ids(template))
    assert targets == functions, (
        f"missing targets: {functions - targets}; targets of no function: {targets - functions}"
    )
    for logical_id in functions:
        metadata = template["Resources"][logical_id].get("Metadata", {})
        assert metadata.get("BuildMethod") == "makefile", f"{logical_id} is not built by functions/Makefile"
