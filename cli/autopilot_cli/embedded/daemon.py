"""Background process that keeps one embedded AWS (moto server + the seed stack) alive between commands.

Run by :mod:`autopilot_cli.embedded.session`; ``python -m autopilot_cli.embedded.daemon --port N --state-file F``.
The server's request log goes to ``embedded-server.log`` next to the state file (``--log-file`` to change it).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from pathlib import Path

from autopilot_cli.collector import settle_imports
from autopilot_cli.embedded import scaling_activities
from autopilot_cli.embedded.actuator import actuator_hook
from autopilot_cli.embedded.alarm_mirror import install_transition_hook
from autopilot_cli.embedded.lambda_router import LambdaRouter
from autopilot_cli.embedded.seed_stack import REGION, seed_stack
from autopilot_cli.embedded.server import client_environment, patched_environ, running_server
from autopilot_cli.embedded.workflow import deploy_workflow

SERVER_LOG = "embedded-server.log"


def _write_state(path: Path, state: dict[str, object]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
    tmp.replace(path)


def serve(port: int, state_file: Path, log_file: Path) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    env = {**client_environment(port, REGION), "POWERTOOLS_METRICS_DISABLED": "true"}
    install_transition_hook()  # alarm events mirrored by the CLI keep their own transition time
    with running_server(log_file, port) as bound, patched_environ(env):
        scaling_activities.install()
        stack = seed_stack(REGION)
        router = LambdaRouter(stack.resolver)
        router.before_invoke(actuator_hook(stack.resource_id, REGION))
        with router.active():
            workflow = deploy_workflow(stack.resolver)
            _write_state(
                state_file,
                {
                    "pid": os.getpid(),
                    "port": bound,
                    "region": REGION,
                    "physical_ids": stack.resolver.physical_ids,
                    "attributes": stack.resolver.attributes,
                    "resource_id": stack.resource_id,
                    "state_machine_arn": workflow.state_machine_arn,
                },
            )
            stop.wait()
            # All state is in memory and goes with the process: end it now rather than wait for
            # moto's server and executor threads to wind down.
            state_file.unlink(missing_ok=True)
            os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description="embedded AWS for the autopilot CLI")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-file", type=Path, required=True)
    parser.add_argument("--log-file", type=Path, default=None, help=f"request log (default: {SERVER_LOG} beside it)")
    args = parser.parse_args()
    settle_imports()
    serve(args.port, args.state_file, args.log_file or args.state_file.with_name(SERVER_LOG))


if __name__ == "__main__":
    main()
