"""CPU time of the processes a scenario runs on, read from /proc: the server's, and PostgreSQL's for the
benchmark's own database (its backends on the primary and every process of its replica).

The primary is shared with other work on this machine, so its background processes (WAL writer,
checkpointer, other databases' backends) are left out: they would charge other work to the benchmark.
"""

from __future__ import annotations

import os
import resource
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sensor_api.dev.localpg import LocalReplica, Primary

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int | str) -> float | None:
    """User + system CPU seconds of one process, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int | str) -> list[str]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return found.stdout.split()


def tree_cpu(pid: int | str) -> float:
    """CPU seconds of a process and its children (a server's supervisor and workers)."""
    return sum(cpu for p in [str(pid), *children(pid)] if (cpu := process_cpu(p)) is not None)


def children_cpu() -> float:
    """CPU seconds of this process's finished children (the load client, once it has exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class PostgresProbe:
    """The benchmark database's PostgreSQL processes: backends on the primary, the replica's whole cluster."""

    primary: Primary
    replica: LocalReplica
    database: str

    def pids(self) -> list[str]:
        backends = self.primary.psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{self.database}'")
        pidfile = self.replica.data / "postmaster.pid"
        replica = pidfile.read_text().split()[0] if pidfile.exists() else None
        return [*backends.split(), *([replica, *children(replica)] if replica else [])]

    def snapshot(self) -> dict[str, float]:
        return {pid: cpu for pid in self.pids() if (cpu := process_cpu(pid)) is not None}

    def since(self, before: dict[str, float]) -> float:
        """CPU seconds used since `before`; a backend that started in between counts whole."""
        after = self.snapshot()
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())
