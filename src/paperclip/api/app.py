"""create_app(settings, database_url): the ASGI application, with no side effects until started."""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI

from paperclip import __version__
from paperclip.api.errors import install_error_handlers
from paperclip.api.middleware import HostnameGuardMiddleware, RequestLogMiddleware
from paperclip.api.openapi import install as install_openapi
from paperclip.api.router import mount_api
from paperclip.api.unit_of_work import UnitOfWorkMiddleware
from paperclip.auth.origins import trusted_origins
from paperclip.auth.sessions import SessionCookie
from paperclip.config import Settings
from paperclip.db.engine import CONNECT_TIMEOUT_SECONDS, libpq_url, make_async_engine, session_factory
from paperclip.db.rawsql import create_read_pool
from paperclip.storage.uploads import UPLOAD_ENVELOPE_BYTES

log = logging.getLogger("paperclip.api")


def create_app(settings: Settings, database_url: str, *, on_startup=None, on_shutdown=None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        prepared, pool_max = settings.database.prepared_statements, settings.database.pool_max
        engine = make_async_engine(database_url, prepared_statements=prepared, pool_max=pool_max)
        # Reads (GET/HEAD) get their own pool of autocommit connections: no BEGIN/COMMIT around their
        # SELECTs and no per-checkout isolation switch. Pools open connections on demand.
        read_engine = make_async_engine(database_url, prepared_statements=prepared, pool_max=pool_max, autocommit=True)
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        app.state.read_sessions = session_factory(read_engine)
        # Health gets its own two connections: a monitor must get an answer while the API pool is busy.
        health_engine = make_async_engine(database_url, prepared_statements=prepared, pool_max=2, autocommit=True)
        app.state.health_sessions = session_factory(health_engine)
        app.state.read_pool = await _read_pool(database_url, prepared, pool_max)
        flusher = None
        if settings.metrics_enabled:
            from paperclip import metrics

            flusher = metrics.Flusher()
        try:
            if on_startup is not None:
                await on_startup(app)
            yield
        finally:
            try:
                if on_shutdown is not None:
                    await on_shutdown(app)
            finally:
                if flusher is not None:
                    flusher.stop()
                if app.state.read_pool is not None:
                    await app.state.read_pool.close()
                await engine.dispose()
                await read_engine.dispose()
                await health_engine.dispose()

    app = FastAPI(title="Paperclip", version=__version__, lifespan=lifespan, docs_url="/api/docs",
                  openapi_url="/api/openapi.json", redoc_url=None)
    app.state.settings = settings
    app.state.session_cookie = SessionCookie.of(settings)
    app.state.trusted_origins = trusted_origins(settings)
    app.state.database_url = database_url
    if settings.metrics_enabled:
        from paperclip import metrics

        metrics.enable()
    install_error_handlers(app)
    mount_api(app)
    install_openapi(app)  # the error statuses each route answers, in the one error format
    if settings.serve_ui:
        from paperclip.web.mount import mount_ui  # the board UI (server.serveUi / SERVE_UI)
        mount_ui(app, settings)
    app.add_middleware(UnitOfWorkMiddleware, state=app.state)
    if settings.is_local_trusted or settings.deployment_exposure == "private":
        allowed = set(settings.allowed_hostnames)
        if settings.host not in ("0.0.0.0", "::"):
            allowed.add(settings.host)
        app.add_middleware(HostnameGuardMiddleware, allowed=allowed, local_trusted=settings.is_local_trusted)
    app.add_middleware(RequestLogMiddleware, upload_max_body=settings.storage.attachment_max_bytes + UPLOAD_ENVELOPE_BYTES,
                       body_timeout=settings.request_body_timeout_sec)
    return app


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
        pool = await create_read_pool(libpq_url(database_url), prepared_statements=prepared_statements,
                                      max_size=fast_pool_size(pool_max), connect_timeout=CONNECT_TIMEOUT_SECONDS)
        await pool.fetchval("SELECT 1")
        return pool
    except Exception as exc:  # noqa: BLE001 - any failure only costs speed
        log.warning("Fast read pool unavailable (%s); reads use the main database pool", type(exc).__name__)
        return None

