"""The CLI finds template.yaml, the state machine and the sample events without walking up from its own file: they
ship in the package (``autopilot_cli/project/``), or ``AUTOPILOT_TEMPLATE`` names another template.yaml."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from autopilot_cli.embedded.workflow import definition_path
from autopilot_cli.template_model import (
    TEMPLATE_ENV,
    TemplateError,
    events_dir,
    load_template,
    project_dir,
    template_path,
)

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "cli" / "autopilot_cli"
LOCAL_ONLY = (".git", ".venv*", "*_cache", ".hypothesis", ".aws-sam", "build", "*.egg-info", "__pycache__")


def test_no_cli_module_locates_files_from_its_own_path() -> None:
    walking = sorted(str(p.relative_to(CLI)) for p in CLI.rglob("*.py") if "__file__" in p.read_text(encoding="utf-8"))
    assert not walking, f"these modules locate files from __file__ (breaks in an installed wheel): {walking}"


def test_the_packaged_project_files_are_the_repositorys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TEMPLATE_ENV, raising=False)
    assert project_dir() == CLI / "project"
    assert template_path().read_bytes() == (ROOT / "template.yaml").read_bytes()
    assert sorted(p.name for p in events_dir().glob("*.json")) == sorted(
        p.name for p in (ROOT / "events").glob("*.json")
    )
    assert definition_path(load_template()).read_bytes() == (ROOT / "statemachines/remediation.asl.json").read_bytes()


def test_an_explicit_template_is_used_with_its_neighbours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / "template.yaml", tmp_path / "template.yaml")
    (tmp_path / "events").mkdir()
    monkeypatch.setenv(TEMPLATE_ENV, str(tmp_path / "template.yaml"))
    assert (template_path(), events_dir()) == (tmp_path / "template.yaml", tmp_path / "events")


def test_a_missing_explicit_template_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TEMPLATE_ENV, str(tmp_path / "nowhere.yaml"))
    with pytest.raises(TemplateError, match=rf"{TEMPLATE_ENV}=.*nowhere.yaml: no such file"):
        template_path()


@pytest.mark.build
def test_an_installed_wheel_finds_its_template_and_events(tmp_path: Path) -> None:
    source, wheels = tmp_path / "source", tmp_path / "wheels"
    # A copy of the checkout (links kept as links), so the build writes nothing into the repository
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(*LOCAL_ONLY))
    # With the build backend pyproject.toml names, from the environment (the dev extra installs it there)
    build = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(wheels),
        str(source),
    ]
    subprocess.run(build, check=True, capture_output=True, timeout=240, cwd=tmp_path)
    [wheel] = wheels.glob("*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import json; from autopilot_cli.template_model import *; from autopilot_cli.embedded.workflow import "
        "definition_path; t = load_template(); print(json.dumps([str(template_path()), len(t['Resources']), "
        "sorted(p.name for p in events_dir().glob('*.json')), definition_path(t).is_file()]))"
    )
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    shown = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    path, resources, events, asl = json.loads(shown.stdout)
    assert path == str(site / "autopilot_cli" / "project" / "template.yaml") and resources > 50 and asl
    assert events == sorted(p.name for p in (ROOT / "events").glob("*.json"))
