"""Run the service under uvicorn on loopback, as it runs in a task (for tests and benchmarks)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .localpg import LocalPgError, free_port

SERVERS = ("uvicorn", "granian")


def server_command(server: str, port: int, workers: int, header_timeout: float = 10.0) -> list[str]:
    """The ASGI server's command line, as the image runs it (same app, same worker count, same header timeout)."""
    app = "sensor_api.app:create_app"
    if server == "uvicorn":
        return [
            *(sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", str(workers), "--no-access-log", "--backlog", "4096", "--timeout-graceful-shutdown", "20"),
            *("--http", "sensor_api.httpproto:HeaderTimeoutProtocol"),
        ]
    if server == "granian":
        return [
            *(sys.executable, "-m", "granian", "--interface", "asgi", "--factory", app),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--backlog", "4096"),
            *("--no-access-log", "--workers-kill-timeout", "20", "--log-level", "warning"),
            *("--http", "1", "--http1-header-read-timeout", str(max(1, int(header_timeout * 1000)))),
        ]
    raise LocalPgError(f"unknown ASGI server {server!r}: choose one of {', '.join(SERVERS)}")


@dataclass
class LocalServer:
    """The app under `server` (uvicorn or granian) with `workers` processes and the given env."""

    env: dict[str, str]
    workers: int = 4
    port: int = 0
    server: str = "uvicorn"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        self.port = self.port or free_port()
        handle, name = tempfile.mkstemp(prefix="sensor-api-", suffix=".log")
        self.log_path = Path(name)
        header_timeout = float(self.env.get("HTTP_HEADER_TIMEOUT_SECONDS", "10"))
        cmd = server_command(self.server, self.port, self.workers, header_timeout)
        # Readiness is read from each worker's "ready" log line: JSON logs at INFO or finer.
        env = {**os.environ, **self.env, "WEB_CONCURRENCY": str(self.workers), "LOG_JSON": "true"}
        if env.get("LOG_LEVEL", "INFO").upper() not in ("INFO", "DEBUG"):
            raise LocalPgError("LocalServer needs LOG_LEVEL=INFO or DEBUG to see the workers become ready")
        self.process = subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT, env=env)
        os.close(handle)
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()  # never leave a half-started server behind
            raise

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM (what ECS sends), wait for the graceful exit; returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path else ""

    def remove_log(self) -> None:
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)

    def _wait_ready(self, timeout: float) -> None:
        """Poll until every worker has logged "ready" and /readyz answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise LocalPgError(f"the service exited during start-up:\n{self.log_text()[-4000:]}")
            if self.log_text().count('"message": "ready"') >= self.workers and self._ready():
                return
            time.sleep(0.1)
        raise LocalPgError(f"the service was not ready after {timeout} s:\n{self.log_text()[-4000:]}")

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/readyz", timeout=5) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False
