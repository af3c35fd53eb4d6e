"""The ``autopilot`` command and the embedded daemon set the cyclic collector for their work: the modules imported
by then leave its walks, and it runs at the raised thresholds. Each check runs a fresh interpreter (this one's
collector is already set by the test session)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from autopilot_cli.collector import THRESHOLDS

ROOT = Path(__file__).resolve().parents[2]
AT_EXIT = "import atexit, gc; atexit.register(lambda: print(gc.get_threshold(), gc.get_freeze_count() > 0));"


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_fresh_interpreter_has_the_default_collector() -> None:
    assert _python(AT_EXIT) == "(700, 10, 10) False"


def test_the_autopilot_command_sets_the_collector_before_it_runs() -> None:
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["autopilot"]
    assert entry == "autopilot_cli.main:main"
    code = f"{AT_EXIT} import sys; sys.argv = ['autopilot', '--help']; from autopilot_cli.main import main; main()"
    assert _python(code) == f"{THRESHOLDS} True"


def test_the_embedded_daemon_sets_the_collector_before_it_serves() -> None:
    source = (ROOT / "cli" / "autopilot_cli" / "embedded" / "daemon.py").read_text()
    main = source[source.index("def main()") :]
    assert main.index("settle_imports()") < main.index("serve(")
