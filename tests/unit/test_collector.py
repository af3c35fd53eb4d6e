"""The ``autopilot`` command and the embedded daemon set the cyclic collector for their work before they run: the
modules imported by then leave its walks (``gc.freeze``), it runs at the raised thresholds, and at exit the young
garbage is collected and the rest frozen, so the interpreter's last collection walks nothing."""

from __future__ import annotations

import importlib
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
    monkeypatch.setattr(collector.gc, "collect", lambda generation=2: seen.append(("collect", generation)))
    register, unregister = collector.atexit.register, collector.atexit.unregister

    def at_exit(function: Any) -> None:  # the collector's handler is recorded, another one (the daemon's) kept
        if function is collector.settle_for_exit:
            seen.append(("at exit", function))
        else:
            register(function)

    monkeypatch.setattr(collector.atexit, "register", at_exit)
    monkeypatch.setattr(
        collector.atexit, "unregister", lambda f: None if f is collector.settle_for_exit else unregister(f)
    )
    return seen


SETTLED = ["freeze", collector.THRESHOLDS, ("at exit", collector.settle_for_exit)]


def test_settling_freezes_what_is_imported_raises_the_thresholds_and_settles_the_exit(calls: list[Any]) -> None:
    collector.settle_imports()
    assert calls == SETTLED
    young, middle, full = collector.THRESHOLDS
    assert young > 700 and middle >= 10 and full >= 10, "no threshold below the interpreter's default"


def test_the_test_package_raises_the_thresholds_before_the_conftest_imports(calls: list[Any]) -> None:
    import tests

    importlib.reload(tests)  # what pytest runs first, before tests/conftest.py and the collection
    assert calls == [collector.THRESHOLDS]


def test_at_exit_the_young_garbage_is_collected_then_the_rest_frozen(calls: list[Any]) -> None:
    collector.settle_for_exit()
    assert calls == [("collect", 1), "freeze"]


def test_settling_twice_leaves_one_exit_handler() -> None:
    registered: list[Any] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(collector.gc, "freeze", lambda: None)
        patch.setattr(collector.gc, "set_threshold", lambda *values: None)
        patch.setattr(collector.atexit, "register", registered.append)
        patch.setattr(collector.atexit, "unregister", lambda f: registered.remove(f) if f in registered else None)
        collector.settle_imports()
        collector.settle_imports()
    assert registered == [collector.settle_for_exit]


def test_the_autopilot_command_settles_the_collector_then_runs_the_app(
    calls: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["autopilot"]
    assert entry == "autopilot_cli.main:main"
    monkeypatch.setattr(main, "app", lambda: calls.append("app"))
    main.main()
    assert calls == [*SETTLED, "app"]


def test_the_embedded_daemon_settles_the_collector_then_serves(
    calls: list[Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(daemon, "serve", lambda *args: calls.append("serve"))
    monkeypatch.setattr(sys, "argv", ["daemon", "--port", "4599", "--state-file", str(tmp_path / "state.json")])
    daemon.main()
    assert calls == [*SETTLED, "serve"]
