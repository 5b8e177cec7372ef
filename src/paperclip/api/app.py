"""create_app(settings, database_url): the ASGI application, with no side effects until started."""

from __future__ import annotations

import logging
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
from paperclip.db.database import Database

log = logging.getLogger("paperclip.api")


def create_app(settings: Settings, database_url: str, *, on_startup=None, on_shutdown=None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # The process's connections, built for its role (paperclip.db.database); the request path
        # reads them from app.state under the names below.
        # app.state.database_url, not the argument: a server builds its app before its database is up
        # (paperclip.server.runtime) and sets the URL when it is known.
        database = await Database.open(
            settings, app.state.database_url, role=getattr(app.state, "role", "all")
        )
        app.state.database = database
        app.state.engine = database.engine
        app.state.sessions = database.sessions
        app.state.read_sessions = database.read_sessions
        app.state.health_sessions = database.health_sessions
        app.state.read_pool = database.read_pool
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
                await database.close()

    app = FastAPI(
        title="Paperclip",
        version=__version__,
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
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
    app.add_middleware(
        RequestLogMiddleware,
        upload_max_body=settings.storage.upload_max_body_bytes,
        body_timeout=settings.request_body_timeout_sec,
    )
    return app
