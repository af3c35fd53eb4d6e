"""Schema migrations: numbered SQL files applied once, serialized by an advisory lock.

4 workers x N tasks start at once and all call `apply_migrations`; the first takes the lock and
migrates, the others wait for it and then find nothing left to do.
Run by hand with `make migrate` (python -m sensor_api.migrate).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from importlib import resources
from typing import Any

import asyncpg
from pydantic import ValidationError

from .logs import setup_logging
from .settings import get_settings

log = logging.getLogger(__name__)

MIGRATION_LOCK_KEY = 0x53454E534F52  # "SENSOR": the advisory lock every worker takes to migrate

LEDGER_SQL = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: str
    sql: str


def load_migrations() -> list[Migration]:
    """The packaged migrations, in order of their file names."""
    folder = resources.files("sensor_api") / "migrations"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [Migration(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


async def apply_migrations(conn: Any, migrations: list[Migration] | None = None) -> list[str]:
    """Apply what is missing, each file in its own transaction; return the versions applied."""
    pending = load_migrations() if migrations is None else migrations
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        await conn.execute(LEDGER_SQL)
        done = {row["version"] for row in await conn.fetch("SELECT version FROM schema_migrations")}
        applied: list[str] = []
        for migration in pending:
            if migration.version in done:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", migration.version)
            applied.append(migration.version)
        return applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)


async def _main() -> None:
    settings = get_settings()
    conn = await asyncpg.connect(settings.primary_dsn(), timeout=settings.db_connect_timeout_seconds)
    try:
        applied = await apply_migrations(conn)
    finally:
        await conn.close()
    log.info("migrations applied", extra={"applied": applied, "count": len(applied)})


def main() -> None:
    try:
        settings = get_settings()
    except ValidationError as exc:
        raise SystemExit(f"cannot migrate, the settings are invalid: {exc}") from None
    setup_logging(settings.log_level)
    asyncio.run(_main())


if __name__ == "__main__":
    main()
