"""One process's connections to PostgreSQL, built for its role (issue 9 part 2).

- `sessions`: write transactions (a fixed pool of PAPERCLIP_DB_POOL_MAX connections);
- `read_sessions`: autocommit connections for GET/HEAD (no BEGIN/COMMIT around their SELECTs);
- `health_sessions`: two connections of its own, so a monitor gets an answer while the API pool is busy;
- `read_pool`: the asyncpg pool behind `paperclip.db.rawsql` (hot statements), None when unavailable;
- `run_sessions`: the heartbeat runner's pool, sized for bursts (every run in flight may write at
  once), so API requests never queue behind runs.

Roles: "all" (one process serves HTTP and runs heartbeats: everything), "http" (a worker that only
serves requests: no runner pool), "api" (serves requests and does the instance's start-up steps,
but runs no heartbeats: no runner pool either), "background" (the process that runs heartbeats,
the scheduler and backups: write sessions and the runner's pool only). Every engine is `make_async_engine`'s
(parameters hidden from logged errors). Pools open connections on demand.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from paperclip.config import Settings
from paperclip.db.engine import CONNECT_TIMEOUT_SECONDS, libpq_url, make_async_engine, session_factory
from paperclip.db.rawsql import create_read_pool

log = logging.getLogger("paperclip.db")

ROLES = ("all", "http", "api", "background")
RUNNER_POOL = 24  # the runner's kept connections (as many again may overflow in a burst)


class Database:
    def __init__(self, settings: Settings, url: str, *, role: str = "all"):
        if role not in ROLES:
            raise ValueError(f"unknown process role {role!r}")
        self.settings = settings
        self.url = url
        self.role = role
        prepared, pool_max = settings.database.prepared_statements, settings.database.pool_max
        self._engines: list[AsyncEngine] = []
        self.engine = self._engine(prepared_statements=prepared, pool_max=pool_max)
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(self.engine)
        self.read_sessions: async_sessionmaker[AsyncSession] | None = None
        self.health_sessions: async_sessionmaker[AsyncSession] | None = None
        self.run_sessions: async_sessionmaker[AsyncSession] | None = None
        self.read_pool: Any = None
        if role != "background":
            self.read_sessions = session_factory(
                self._engine(prepared_statements=prepared, pool_max=pool_max, autocommit=True)
            )
            self.health_sessions = session_factory(
                self._engine(prepared_statements=prepared, pool_max=2, autocommit=True)
            )
        if role in ("all", "background"):
            self.run_sessions = session_factory(
                self._engine(prepared_statements=prepared, pool_max=RUNNER_POOL, overflow=RUNNER_POOL)
            )

    def _engine(self, **options: Any) -> AsyncEngine:
        engine = make_async_engine(self.url, **options)
        self._engines.append(engine)
        return engine

    @classmethod
    async def open(cls, settings: Settings, url: str, *, role: str = "all") -> Database:
        database = cls(settings, url, role=role)
        if role != "background":
            database.read_pool = await _read_pool(
                url, settings.database.prepared_statements, settings.database.pool_max
            )
        return database

    async def close(self) -> None:
        try:
            if self.read_pool is not None:
                await self.read_pool.close()
        finally:
            for engine in self._engines:
                await engine.dispose()


def fast_pool_size(pool_max: int, cpus: int | None = None) -> int:
    """The asyncpg pool's size: PAPERCLIP_DB_POOL_MAX, but at most about two connections per core.

    Its statements are short (about a millisecond of PostgreSQL each), so more connections than
    the cores can run add no throughput, while each one opened costs ~15 ms of CPU on both sides
    (SCRAM authentication, a new backend's catalog caches): a burst of 100 wake-ups that opened
    40 of them ran at half the speed of one that queued for 5."""
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(pool_max, 2 * cpus + 1))


async def _read_pool(database_url: str, prepared_statements: bool, pool_max: int):
    """The asyncpg pool behind `paperclip.db.rawsql` (reads, and single-statement writes), checked
    once; without it (a URL option asyncpg does not understand, say) those statements run on the
    main pools, only slower."""
    try:
        pool = await create_read_pool(
            libpq_url(database_url),
            prepared_statements=prepared_statements,
            max_size=fast_pool_size(pool_max),
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
        )
        await pool.fetchval("SELECT 1")
        return pool
    except Exception as exc:  # noqa: BLE001 - any failure only costs speed
        log.warning("Fast read pool unavailable (%s); reads use the main database pool", type(exc).__name__)
        return None
