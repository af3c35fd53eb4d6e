"""``make demo`` as a newcomer sees it: the product's panels on an 80-column terminal, and nothing else.

The demo runs once, in a subprocess, exactly as ``autopilot demo`` does: whatever reaches the terminal (the
embedded server's request log, a Python warning, a function's log line) is in its stdout or stderr here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

DEMO_TIMEOUT_SECONDS = 240
WIDTH = 80
REQUEST_LOG_LINE = re.compile(r'\d+\.\d+\.\d+\.\d+ - - \[.*\] "(GET|POST|PUT|DELETE|HEAD) ')
NAMES = (
    "sensor-app-cluster/sensor-app-service",
    "sensor-postgres-high-perf",
    "sensor-postgres-high-perf-replica",
    "sensor-app-alb",
    "db.t3.medium",
)


@dataclass(frozen=True)
class DemoRun:
    returncode: int
    stdout: str
    stderr: str
    state_dir: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    state_dir = tmp_path_factory.mktemp("autopilot-state")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_", "PYTHONWARNINGS"))}
    env |= {"COLUMNS": str(WIDTH), "LINES": "50", "AUTOPILOT_STATE_DIR": str(state_dir), "TERM": "dumb"}
    done = subprocess.run(
        [sys.executable, "-c", "from autopilot_cli.main import main; main()", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=DEMO_TIMEOUT_SECONDS,
        check=False,
    )
    return DemoRun(done.returncode, done.stdout, done.stderr, state_dir)


def test_the_demo_succeeds(demo: DemoRun) -> None:
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "demo complete" in demo.stdout


def test_the_demo_prints_no_server_log_line_and_no_warning(demo: DemoRun) -> None:
    printed = demo.stdout + demo.stderr
    assert not REQUEST_LOG_LINE.search(printed), "the embedded server's request log reached the terminal"
    assert "Warning" not in printed
    assert "No application metrics to publish" not in printed
    assert demo.stderr == ""


def test_the_server_log_is_a_file_under_the_state_directory_named_at_the_end(demo: DemoRun) -> None:
    log = demo.state_dir / "demo-server.log"
    assert REQUEST_LOG_LINE.search(log.read_text(encoding="utf-8")), "the requests are logged to the file"
    tail = " ".join(demo.stdout.splitlines()[-3:])
    assert "demo-server.log" in tail


def test_every_line_fits_80_columns_and_nothing_is_cut(demo: DemoRun) -> None:
    lines = demo.stdout.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    assert "…" not in demo.stdout, [line for line in lines if "…" in line]
    for name in NAMES:
        assert name in demo.stdout, f"{name} is not shown whole"
