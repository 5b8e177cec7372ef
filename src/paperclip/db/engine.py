"""Engines and sessions. One async engine for the server; sync engines for migrations and the CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from paperclip.errors import StartupError

MIN_SERVER_VERSION_NUM = 170000


def sqlalchemy_url(url: str) -> str:
    """Accept the postgres:// URLs people paste (Supabase, RDS) and select the psycopg driver."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://", "postgresql+asyncpg://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    raise StartupError(f"Unsupported database URL scheme in {url.split('://')[0]}://…; expected postgres:// or postgresql:// (DATABASE_URL)")


def connect_args(prepared_statements: bool) -> dict:
    # Transaction-mode poolers hand each transaction to a different server connection, where a
    # statement prepared earlier does not exist: prepare_threshold=None never prepares.
    return {} if prepared_statements else {"prepare_threshold": None}


def make_async_engine(url: str, *, prepared_statements: bool = True, pool_max: int = 20) -> AsyncEngine:
    return create_async_engine(
        sqlalchemy_url(url),
        connect_args=connect_args(prepared_statements),
        pool_size=min(pool_max, 10),
        max_overflow=max(pool_max - 10, 0),
        pool_pre_ping=False,
        pool_recycle=1800,
    )


def make_sync_engine(url: str, *, prepared_statements: bool = True) -> sa.Engine:
    return sa.create_engine(sqlalchemy_url(url), connect_args=connect_args(prepared_statements), poolclass=sa.NullPool)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def unit_of_work(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """Whoever starts the work commits: the body runs in one transaction, rolled back on error."""
    async with factory() as session:
        async with session.begin():
            yield session


def check_server_version(conn: sa.Connection, label: str = "DATABASE_URL") -> int:
    version = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())
    if version < MIN_SERVER_VERSION_NUM:
        major = version // 10000
        raise StartupError(
            f"PostgreSQL {major} is not supported: Paperclip needs PostgreSQL 17 or newer ({label} points at a {major}.x server)"
        )
    return version
