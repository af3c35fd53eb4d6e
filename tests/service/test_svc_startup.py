"""Start-up: migrations race-free under many workers, refusal of an over-budget configuration."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sensor_api.app import create_app
from sensor_api.budget import BudgetError
from sensor_api.dev.localpg import Primary, create_database, drop_database
from sensor_api.migrate import MIGRATION_LOCK_KEY, Migration, apply_migrations, load_migrations
from svc_support import make_settings

pytestmark = [pytest.mark.service, pytest.mark.timeout(60)]


async def test_sixteen_workers_migrating_at_once_apply_each_migration_once(primary: Primary) -> None:
    name = create_database(primary, prefix="sensor_migrate")
    try:
        conns = [await asyncpg.connect(primary.dsn(name)) for _ in range(16)]
        results = await asyncio.gather(*(apply_migrations(c) for c in conns))
        versions = [m.version for m in load_migrations()]
        ledger = await conns[0].fetch("SELECT version FROM schema_migrations ORDER BY version")
        tables = await conns[0].fetchval("SELECT count(*) FROM pg_tables WHERE tablename IN ('sensors', 'readings')")
        for conn in conns:
            await conn.close()
    finally:
        drop_database(primary, name)
    assert sorted(v for applied in results for v in applied) == versions  # applied once, by one worker
    assert [r["version"] for r in ledger] == versions
    assert tables == 2


async def test_a_failing_migration_leaves_nothing_half_applied(primary: Primary) -> None:
    name = create_database(primary, prefix="sensor_migrate")
    try:
        conn = await asyncpg.connect(primary.dsn(name))
        broken = [
            Migration("0001_ok", "CREATE TABLE a (x int)"),
            Migration("0002_bad", "CREATE TABLE b (x int); SELEC 1"),
        ]
        with pytest.raises(asyncpg.PostgresSyntaxError):
            await apply_migrations(conn, broken)
        ledger = [r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")]
        b_exists = await conn.fetchval("SELECT to_regclass('b') IS NOT NULL")
        other = await asyncpg.connect(primary.dsn(name))  # while the migrating session is still open
        lock_free = await other.fetchval("SELECT pg_try_advisory_lock($1)", MIGRATION_LOCK_KEY)
        await other.close()
        await conn.close()
    finally:
        drop_database(primary, name)
    assert ledger == ["0001_ok"] and not b_exists and lock_free


def test_a_pool_plan_above_the_budget_is_refused_at_start(primary_dsn: str) -> None:
    settings = make_settings(primary_dsn, db_connection_budget=300, max_tasks=20, web_concurrency=4, db_pool_size=100)
    with pytest.raises(BudgetError, match="8000 connections exceeds DB_CONNECTION_BUDGET=300"):
        create_app(settings)
