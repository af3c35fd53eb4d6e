"""The embedded AWS: moto's server on 127.0.0.1, configured to execute state machines with no Docker.

:func:`running_server` runs it in a thread of this process (``make demo``, tests); ``daemon.py`` runs the same in a
background process so that several ``autopilot`` commands share one stack. Its request log (werkzeug's, one
line per AWS call) goes to a file, never to the terminal the product's output is on.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from moto.core.config import default_user_config
from moto.server import ThreadedMotoServer

HOST = "127.0.0.1"
REQUEST_LOGGER = "werkzeug"  # moto's server is werkzeug's; it logs each request to this logger
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "embedded",
    "AWS_SECRET_ACCESS_KEY": "embedded",
    "AWS_SESSION_TOKEN": "embedded",
}


def configure_moto() -> None:
    """Execute ASL for real; Lambda without Docker (our handlers are routed in-process)."""
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    default_user_config["lambda"] = {"use_docker": False}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def client_environment(port: int, region: str) -> dict[str, str]:
    """What boto3 needs to talk to the embedded AWS instead of an account."""
    return {
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": f"http://{HOST}:{port}",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


@contextmanager
def patched_environ(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@contextmanager
def request_log_to(path: Path) -> Iterator[Path]:
    """The server's request log appended to ``path`` (and nowhere else) while the context lasts.

    werkzeug adds a handler on stderr only when its logger has none; a file handler here keeps it off the terminal.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger(REQUEST_LOGGER)
    saved = (list(log.handlers), log.propagate, log.level)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers = [handler]
    log.propagate = False
    log.setLevel(logging.INFO)
    try:
        yield path
    finally:
        handler.close()
        log.handlers, log.propagate = saved[0], saved[1]
        log.setLevel(saved[2])


@contextmanager
def running_server(log_file: Path, port: int | None = None) -> Iterator[int]:
    """moto's server in a thread of this process, on 127.0.0.1, logging its requests to ``log_file``."""
    configure_moto()
    chosen = port or free_port()
    server = ThreadedMotoServer(ip_address=HOST, port=chosen, verbose=False)
    # moto's Step Functions engine calls Lambda at localhost:$MOTO_PORT when it is a server
    with request_log_to(log_file), patched_environ({"MOTO_PORT": str(chosen)}):
        server.start()
        try:
            yield chosen
        finally:
            server.stop()
