"""Point boto3 at the embedded AWS for one CLI command, starting the background daemon when needed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autopilot.settings.cache import clear_all

from autopilot_cli.embedded.seed_stack import ACCOUNT, STACK_NAME
from autopilot_cli.embedded.server import client_environment, free_port, patched_environ
from autopilot_cli.template_model import Resolver, function_environment, load_template, stack_environment

START_TIMEOUT_SECONDS = 60.0


class EmbeddedError(Exception):
    """The embedded AWS could not be started or reached; the message says what to do."""


@dataclass
class EmbeddedHandle:
    port: int
    region: str
    pid: int
    resource_id: str
    state_machine_arn: str
    resolver: Resolver

    def function_env(self, logical_id: str) -> dict[str, str]:
        return function_environment(self.resolver, logical_id)


def state_dir() -> Path:
    base = os.environ.get("AUTOPILOT_STATE_DIR") or str(Path.home() / ".cache" / "sensor-autopilot")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def state_file() -> Path:
    return state_dir() / "embedded.json"


def _alive(pid: int) -> bool:
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)  # a daemon this process started and that has exited: reap it
    except ChildProcessError:
        reaped = 0  # started by another command: not ours to reap
    if reaped == pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def read_state() -> dict[str, Any] | None:
    path = state_file()
    if not path.is_file():
        return None
    state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if not _alive(int(state["pid"])):
        path.unlink(missing_ok=True)
        return None
    return state


def start() -> dict[str, Any]:
    existing = read_state()
    if existing is not None:
        return existing
    log = (state_dir() / "embedded.log").open("ab")
    proc = subprocess.Popen(  # the daemon outlives this command on purpose
        [
            sys.executable,
            "-m",
            "autopilot_cli.embedded.daemon",
            "--port",
            str(free_port()),
            "--state-file",
            str(state_file()),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        state = read_state()
        if state is not None:
            return state
        if proc.poll() is not None:
            raise EmbeddedError(f"the embedded AWS exited with code {proc.returncode}; see {state_dir()}/embedded.log")
        time.sleep(0.1)  # polling a child process's readiness file, bounded by the deadline
    proc.terminate()
    raise EmbeddedError(f"the embedded AWS did not start within {START_TIMEOUT_SECONDS:.0f} s; see embedded.log")


def stop() -> bool:
    state = read_state()
    if state is None:
        return False
    os.kill(int(state["pid"]), signal.SIGTERM)
    deadline = time.monotonic() + 15
    while _alive(int(state["pid"])) and time.monotonic() < deadline:
        time.sleep(0.05)  # waiting for the daemon process to exit, bounded
    state_file().unlink(missing_ok=True)
    return True


def handle_from_state(state: dict[str, Any]) -> EmbeddedHandle:
    resolver = Resolver(
        load_template(),
        stack_name=STACK_NAME,
        region=state["region"],
        account=ACCOUNT,
        physical_ids=dict(state["physical_ids"]),
        attributes=dict(state["attributes"]),
    )
    return EmbeddedHandle(
        port=int(state["port"]),
        region=state["region"],
        pid=int(state["pid"]),
        resource_id=state["resource_id"],
        state_machine_arn=state["state_machine_arn"],
        resolver=resolver,
    )


@contextmanager
def embedded_aws() -> Iterator[EmbeddedHandle]:
    """boto3 → the embedded AWS (started if needed), with every function's environment from template.yaml."""
    handle = handle_from_state(start())
    env = {**stack_environment(handle.resolver), **client_environment(handle.port, handle.region)}
    with patched_environ(env):
        clear_all()
        try:
            yield handle
        finally:
            clear_all()
