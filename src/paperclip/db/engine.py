"""Engines and sessions. One async engine for the server; sync engines for migrations and the CLI."""

from __future__ import annotations

import select
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from paperclip.errors import StartupError

MIN_SERVER_VERSION_NUM = 170000
CONNECT_TIMEOUT_SECONDS = 10
# Hints some providers put in the URL for their own clients; libpq rejects unknown parameters.
CLIENT_ONLY_PARAMS = {"pgbouncer"}


def libpq_url(url: str) -> str:
    """The URL as libpq (psycopg, pg_dump, psql) accepts it: postgresql://, no client-only hints."""
    for prefix in ("postgres://", "postgresql+psycopg://", "postgresql+asyncpg://"):
        if url.startswith(prefix):
            url = "postgresql://" + url[len(prefix) :]
            break
    if not url.startswith("postgresql://"):
        raise StartupError(
            f"Unsupported database URL scheme in {url.split('://')[0]}://…; expected postgres:// or postgresql:// (DATABASE_URL)"
        )
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k.lower() not in CLIENT_ONLY_PARAMS]
    if len(kept) != len(pairs):  # rebuild only when needed; libpq reads %20, never '+', as a space
        parts = parts._replace(query=urlencode(kept, quote_via=quote))
    return parts.geturl()


def sqlalchemy_url(url: str) -> str:
    """Accept the postgres:// URLs people paste (Supabase, RDS) and select the psycopg driver."""
    return "postgresql+psycopg://" + libpq_url(url)[len("postgresql://") :]


def connect_args(prepared_statements: bool) -> dict:
    # Transaction-mode poolers hand each transaction to a different server connection, where a
    # statement prepared earlier does not exist: prepare_threshold=None never prepares.
    args: dict = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    if not prepared_statements:
        args["prepare_threshold"] = None
    return args


def drop_dead_connections(engine: AsyncEngine) -> AsyncEngine:
    """A pooled connection the server closed (PostgreSQL restarted, a backend terminated) is replaced
    at checkout instead of failing the next request with a 500. An idle connection receives nothing
    unless the server ends it (the termination notice, then EOF), so a readable socket at checkout
    means a dead connection: one zero-timeout poll (~2 µs), not a round trip like pool_pre_ping."""

    @sa.event.listens_for(engine.sync_engine, "checkout")
    def _check(dbapi_connection, _record, _proxy) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        pgconn = getattr(driver, "pgconn", None)
        if pgconn is None:
            return
        if getattr(driver, "closed", False):
            raise sa.exc.DisconnectionError("connection closed")
        try:
            fd = pgconn.socket
        except Exception as exc:  # noqa: BLE001 - libpq says the connection is bad
            raise sa.exc.DisconnectionError(str(exc)) from exc
        readable, _, _ = select.select([fd], [], [], 0)
        if readable:
            raise sa.exc.DisconnectionError("the server ended the connection")

    return engine


def make_async_engine(
    url: str,
    *,
    prepared_statements: bool = True,
    pool_max: int = 20,
    autocommit: bool = False,
    overflow: int = 0,
) -> AsyncEngine:
    """`autocommit`: connections that stay in autocommit for their life (the read pool). Cheaper than
    switching a pooled connection per checkout, which costs two driver calls each time. `overflow`:
    connections opened beyond `pool_max` in a burst (the runner's pool), closed on return."""
    options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    return drop_dead_connections(
        create_async_engine(
            sqlalchemy_url(url),
            **options,
            connect_args=connect_args(prepared_statements),
            # A fixed pool: overflow connections are closed on return, so bursts would churn connections.
            pool_size=pool_max,
            max_overflow=overflow,
            pool_pre_ping=False,
            hide_parameters=True,  # SQL parameters (tokens, bodies) never appear in logged errors
            pool_recycle=1800,
        )
    )


def make_sync_engine(url: str, *, prepared_statements: bool = False) -> sa.Engine:
    # Default off: migrations and CLI commands run each statement once or twice, so preparing gains
    # nothing, and off is the only setting that is safe behind a transaction-mode pooler.
    return sa.create_engine(
        sqlalchemy_url(url), connect_args=connect_args(prepared_statements), poolclass=sa.NullPool
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def unit_of_work(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """Whoever starts the work commits: the body runs in one transaction, rolled back on error."""
    async with factory() as session, session.begin():
        yield session


def check_server_version(conn: sa.Connection, label: str = "DATABASE_URL") -> int:
    """Refuse servers older than 17 (the production guide's minimum) with a message naming the URL setting."""
    version = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())
    if version < MIN_SERVER_VERSION_NUM:
        major = version // 10000
        raise StartupError(
            f"PostgreSQL {major} is not supported: Paperclip needs PostgreSQL 17 or newer ({label} points at a {major}.x server)"
        )
    return version
