"""The ``autopilot`` command and the embedded daemon set the cyclic collector for their work before they run: the
modules imported by then leave its walks (``gc.freeze``) and it runs at the raised thresholds."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from autopilot_cli import collector, main
from autopilot_cli.embedded import daemon

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What reaches the collector (recorded, not done: the test session's own collector stays as it is)."""
    seen: list[Any] = []
    monkeypatch.setattr(collector.gc, "freeze", lambda: seen.append("freeze"))
    monkeypatch.setattr(collector.gc, "set_threshold", lambda *values: seen.append(values))
    return seen


def test_settling_freezes_what_is_imported_and_raises_the_thresholds(calls: list[Any]) -> None:
    collector.settle_imports()
    assert calls == ["freeze", collector.THRESHOLDS]
    young, middle, full = collector.THRESHOLDS
    assert young > 700 and middle >= 10 and full >= 10, "no threshold below the interpreter's default"


def test_the_autopilot_command_settles_the_collector_then_runs_the_app(
    calls: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["autopilot"]
    assert entry == "autopilot_cli.main:main"
    monkeypatch.setattr(main, "app", lambda: calls.append("app"))
    main.main()
    assert calls == ["freeze", collector.THRESHOLDS, "app"]


def test_the_embedded_daemon_settles_the_collector_then_serves(
    calls: list[Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(daemon, "serve", lambda *args: calls.append("serve"))
    monkeypatch.setattr(sys, "argv", ["daemon", "--port", "4599", "--state-file", str(tmp_path / "state.json")])
    daemon.main()
    assert calls == ["freeze", collector.THRESHOLDS, "serve"]
