"""Local PostgreSQL for tests and benchmarks: scratch databases and a real streaming replica.

Not used by the service itself. Needs the PostgreSQL server binaries and, when run as root, runs
them as the cluster's OS user (`postgres`), like `pg_ctlcluster` does.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

OS_USER = "postgres"
SLOT_PREFIX = "sensor_replica_"
REPLICATION_HBA_LINE = "host replication all 127.0.0.1/32 trust"
PARITY_SETTINGS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)  # a hot standby refuses to start below the primary's values


class LocalPgError(RuntimeError):
    """The local cluster could not do what was asked; the message says what to check."""


@dataclass(frozen=True)
class Primary:
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"

    def dsn(self, database: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres", port: int | None = None) -> str:
        """Run one statement with psql and return its unaligned output."""
        cmd = [
            "psql",
            "-X",
            "-q",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            self.host,
            "-p",
            str(port or self.port),
            "-U",
            self.user,
            "-d",
            database,
            "-c",
            sql,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise LocalPgError(f"psql failed on port {port or self.port}: {done.stderr.strip()} (SQL: {sql})")
        return done.stdout.strip()


def create_database(primary: Primary, prefix: str = "sensor_test") -> str:
    name = f"{prefix}_{secrets.token_hex(4)}"
    primary.psql(f'CREATE DATABASE "{name}"')
    return name


def drop_database(primary: Primary, name: str) -> None:
    primary.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def as_cluster_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", OS_USER, "--", *cmd]
    return cmd


def bindir(primary: Primary) -> Path:
    major = int(primary.psql("SHOW server_version_num")) // 10000
    path = Path(f"/usr/lib/postgresql/{major}/bin")
    if not (path / "pg_ctl").exists():
        found = shutil.which("pg_ctl")
        if found is None:
            raise LocalPgError(f"pg_ctl for PostgreSQL {major} not found: install the server package")
        path = Path(found).parent
    return path


def replication_allowed(primary: Primary) -> bool:
    """Try a replication connection (what pg_basebackup opens) from 127.0.0.1."""
    conninfo = f"host={primary.host} port={primary.port} user={primary.user} dbname=postgres replication=true"
    cmd = ["psql", "-X", "-q", "-At", conninfo, "-c", "IDENTIFY_SYSTEM"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False).returncode == 0


def ensure_replication_allowed(primary: Primary) -> bool:
    """Append a trust rule for replication from 127.0.0.1 when none matches; True if it was added."""
    if replication_allowed(primary):
        return False
    hba = Path(primary.psql("SHOW hba_file"))
    with hba.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{REPLICATION_HBA_LINE}\n")
    primary.psql("SELECT pg_reload_conf()")
    if not replication_allowed(primary):
        raise LocalPgError(f"replication connections are still refused after adding {REPLICATION_HBA_LINE!r} to {hba}")
    return True


def password_rule(role: str) -> str:
    return f"host all {role} 127.0.0.1/32 scram-sha-256"


def ensure_password_login(primary: Primary, role: str) -> bool:
    """Make `role` log in with a password over 127.0.0.1 (the local default is trust). pg_hba.conf is read
    top-down, first match wins: the rule, for this role only, goes first; nothing else is changed.
    Idempotent; True if the rule was added."""
    hba = Path(primary.psql("SHOW hba_file"))
    text = hba.read_text(encoding="utf-8")
    rule = password_rule(role)
    if rule in text.splitlines():
        return False
    hba.write_text(f"{rule}\n{text}", encoding="utf-8")
    primary.psql("SELECT pg_reload_conf()")
    return True


@dataclass
class LocalReplica:
    """A hot standby of `primary` in a temporary directory, streaming over TCP."""

    primary: Primary = field(default_factory=Primary)
    port: int = 0
    root: Path | None = None
    bin: Path | None = None
    slot: str = ""  # its physical replication slot on the primary: WAL it has not received is kept for it

    @property
    def data(self) -> Path:
        if self.root is None:
            raise LocalPgError("the replica has not been created: call start() first")
        return self.root / "data"

    def dsn(self, database: str) -> str:
        return f"postgresql://{self.primary.user}@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 60.0) -> None:
        if self.root is None:
            self._create()
        self.port = self.port or free_port()
        self._write_config()
        log = str(self.data.parent / "server.log")
        self._pg_ctl(["start", "-w", "-t", str(int(timeout)), "-l", log])
        self.wait_streaming(timeout)

    def stop(self) -> None:
        if self.root is not None and (self.data / "postmaster.pid").exists():
            self._pg_ctl(["stop", "-m", "fast", "-w"])

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            if self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = None
            if self.slot:
                drop_slot(self.primary, self.slot)
                self.slot = ""

    def sql(self, statement: str, database: str = "postgres") -> str:
        return self.primary.psql(statement, database=database, port=self.port)

    def wait_streaming(self, timeout: float = 60.0) -> None:
        """Poll until the WAL receiver streams from the primary."""
        deadline = time.monotonic() + timeout
        status = ""
        while time.monotonic() < deadline:
            status = self.sql("SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), 'none')")
            if status == "streaming":
                return
            time.sleep(0.05)
        raise LocalPgError(f"replica on port {self.port} is not streaming after {timeout} s (status {status!r})")

    def wait_replayed(self, database: str, timeout: float = 30.0) -> None:
        """Poll until the replica has replayed the primary's current WAL position."""
        target = self.primary.psql("SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn", database) == "t":
                return
            time.sleep(0.02)
        raise LocalPgError(f"replica on port {self.port} did not replay up to {target} within {timeout} s")

    def _create(self) -> None:
        ensure_replication_allowed(self.primary)
        drop_orphaned_slots(self.primary)
        self.bin = bindir(self.primary)
        self.slot = f"{SLOT_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
        self.root = Path(tempfile.mkdtemp(prefix="sensor-replica-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, OS_USER, OS_USER)
        cmd = [
            str(self.bin / "pg_basebackup"),
            "-h",
            self.primary.host,
            "-p",
            str(self.primary.port),
            "-U",
            self.primary.user,
            "-D",
            str(self.data),
            "-X",
            "stream",
            "-c",
            "fast",
            "--create-slot",
            "--slot",
            self.slot,
        ]
        done = subprocess.run(as_cluster_user(cmd), capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            raise LocalPgError(f"pg_basebackup failed: {done.stderr.strip()}")

    def _write_config(self) -> None:
        parity = {name: self.primary.psql(f"SHOW {name}") for name in PARITY_SETTINGS}
        conf = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.data.parent}'",
            "hot_standby": "on",
            "hot_standby_feedback": "on",
            "wal_receiver_status_interval": "'1s'",
            "primary_conninfo": f"'host={self.primary.host} port={self.primary.port} user={self.primary.user} "
            "application_name=sensor_local_replica'",
            "primary_slot_name": f"'{self.slot}'",
            "fsync": "off",
            "shared_buffers": "'32MB'",
            **parity,
        }
        self._write("postgresql.conf", "".join(f"{k} = {v}\n" for k, v in conf.items()))
        self._write("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n")
        self._write("pg_ident.conf", "")
        self._write("standby.signal", "")

    def _write(self, name: str, text: str) -> None:
        path = self.data / name
        path.write_text(text, encoding="utf-8")
        if os.geteuid() == 0:
            shutil.chown(path, OS_USER, OS_USER)

    def _pg_ctl(self, args: list[str]) -> None:
        cmd = [str((self.bin or bindir(self.primary)) / "pg_ctl"), "-D", str(self.data), *args]
        done = subprocess.run(as_cluster_user(cmd), capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise LocalPgError(f"pg_ctl {args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


def drop_slot(primary: Primary, slot: str, timeout: float = 30.0) -> None:
    """Drop a replica's slot once its WAL sender has gone (it lingers briefly after the standby stops)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = primary.psql(
            "SELECT count(*) FILTER (WHERE active) || ',' || count(*) FROM pg_replication_slots "
            f"WHERE slot_name = '{slot}'"
        )
        active, total = (int(part) for part in left.split(","))
        if total == 0:
            return
        if active == 0:
            primary.psql(
                f"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                f"WHERE slot_name = '{slot}' AND NOT active"
            )
            continue
        time.sleep(0.1)
    raise LocalPgError(f"replication slot {slot} still in use after {timeout} s: drop it with pg_drop_replication_slot")


def drop_orphaned_slots(primary: Primary) -> list[str]:
    """Drop the inactive slots of replicas whose creating process has exited (a killed test run);
    a slot nobody reads from keeps WAL on the primary for ever."""
    names = primary.psql(
        f"SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE '{SLOT_PREFIX}%' AND NOT active"
    )
    dropped = []
    for name in filter(None, names.splitlines()):
        owner = name.removeprefix(SLOT_PREFIX).split("_", 1)[0]
        if owner.isdigit() and not _process_alive(int(owner)):
            primary.psql(f"SELECT pg_drop_replication_slot('{name}')")
            dropped.append(name)
    return dropped


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
