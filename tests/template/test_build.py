"""`sam build` with the makefile build method: no Docker, no local Python 3.13, small arm64 packages.

The build runs once for this module, into a temporary directory (``make build`` writes .aws-sam/ the same way).
"""

from __future__ import annotations

import os
import re
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest
from autopilot_cli.template_model import function_handler, function_ids
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from scripts.lock_lambda_deps import RUNTIME_PROVIDED as RUNTIME_DISTRIBUTIONS
from tests.template.conftest import ROOT, TEMPLATE, find_tool, run_tool

pytestmark = pytest.mark.build

MAX_PACKAGE_BYTES = 15_000_000  # 15 MB unpacked, per function
# Import packages of the runtime that must not be in a package (the lock script names the distributions)
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer")
# The Lambda runtime, as dependency markers see it.
LAMBDA_MARKERS = {
    "python_version": "3.13",
    "python_full_version": "3.13.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "platform_system": "Linux",
    "sys_platform": "linux",
    "platform_machine": "aarch64",
    "os_name": "posix",
}
FUNCTIONS_DIR = ROOT / "functions"


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


def _requirements(path: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def _pins(path: Path) -> dict[str, str]:
    """name → pinned version of a requirements or lock file (every line pins one version)."""
    pins = {}
    for requirement in _requirements(path):
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{path.name}: {requirement} is not pinned to one version"
        pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def _bundled(package: Path) -> dict[str, tuple[str, list[Requirement]]]:
    """name → (version, requirements) of every distribution installed in a function's package."""
    found = {}
    for metadata_file in package.glob("*.dist-info/METADATA"):
        metadata = Parser().parsestr(metadata_file.read_text(encoding="utf-8"), headersonly=True)
        requires = [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]
        found[canonicalize_name(metadata["Name"])] = (metadata["Version"], requires)
    return found


def _applies(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({**LAMBDA_MARKERS, "extra": extra}) for extra in {"", *extras})


def test_the_locks_pin_every_requirement_at_its_version() -> None:
    """functions/requirements*.txt name what the code needs; the locks (``make lock``) must hold exactly those pins,
    and the ops lock only what the ops API adds."""
    locked = _pins(FUNCTIONS_DIR / "requirements.lock")
    ops_locked = _pins(FUNCTIONS_DIR / "requirements-ops.lock")
    assert not set(locked) & set(ops_locked), "the ops lock repeats a pin of requirements.lock"
    for source, lock in (("requirements.txt", locked), ("requirements-ops.txt", {**locked, **ops_locked})):
        for name, version in _pins(FUNCTIONS_DIR / source).items():
            assert lock.get(name) == version, f"{source} pins {name}=={version}, the lock {lock.get(name)}: make lock"
    assert not set(locked) & RUNTIME_DISTRIBUTIONS, "a lock bundles what the Lambda runtime provides"


def test_every_bundled_distribution_has_its_dependencies_in_the_package(
    build_dir: Path, template: dict[str, Any]
) -> None:
    """The locks are installed without resolution (--no-deps): each dependency a bundled distribution declares for
    the Lambda runtime (with the extras the requirements ask for) is bundled at a matching version, or provided by
    the runtime."""
    extras: dict[str, set[str]] = {}
    for source in ("requirements.txt", "requirements-ops.txt"):
        for requirement in _requirements(FUNCTIONS_DIR / source):
            extras.setdefault(canonicalize_name(requirement.name), set()).update(requirement.extras)
    for logical_id in function_ids(template):
        bundled = _bundled(build_dir / logical_id)
        assert "pydantic" in bundled, f"{logical_id}: no distribution metadata in the package"
        for name, (_, requires) in bundled.items():
            for requirement in (r for r in requires if _applies(r, extras.get(name, set()))):
                needed = canonicalize_name(requirement.name)
                if needed in RUNTIME_DISTRIBUTIONS:
                    continue
                assert needed in bundled, f"{logical_id}: {name} needs {requirement}, which is not bundled: make lock"
                version = bundled[needed][0]
                assert requirement.specifier.contains(version, prereleases=True), (
                    f"{logical_id}: {name} needs {requirement}, the package has {needed} {version}: make lock"
                )


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
        present = [name for name in RUNTIME_PACKAGES if (build_dir / logical_id / name).exists()]
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
