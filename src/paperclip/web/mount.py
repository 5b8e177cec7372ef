"""mount_ui(app, settings): the board's pages, static files, security headers and HTML errors.

Called by the app factory when settings.serve_ui is on. Page routes are added flat to the app's
router after the API's (like `paperclip.api.router.mount_api`), so `/api/...` always wins.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from paperclip.config import Settings
from paperclip.errors import AppError
from paperclip.web.context import SignInRequired
from paperclip.web.pages import PAGE_ROUTERS
from paperclip.web.render import is_fragment, redirect, render
from paperclip.web.security import SecurityHeadersMiddleware
from paperclip.web.static import serve_static

log = logging.getLogger("paperclip.web")


def _is_page(request: Request) -> bool:
    """A request for a board page (HTML errors) rather than the API or any other route (JSON errors)."""
    if "text/event-stream" in request.headers.get("accept", ""):
        return False
    route = request.scope.get("route")
    if route is not None:
        return id(route) in getattr(request.app.state, "page_route_ids", ())
    path = request.url.path
    return not path.startswith("/api/") and path != "/api"


async def error_page(request: Request, status: int, message: str):
    """A fragment (the message, shown next to the control by app.js) or a full error page."""
    if is_fragment(request):
        return await render(request, "_error_fragment.html", status=status, message=message)
    return await render(request, "error.html", status=status, message=message, status_code=status)


def _install_error_pages(app: FastAPI) -> None:
    handlers: dict = app.exception_handlers
    api_app_error = handlers[AppError]
    api_validation = handlers[RequestValidationError]
    api_http = handlers[StarletteHTTPException]
    api_unexpected = handlers.get(Exception)

    async def app_error(request: Request, exc: AppError):
        if isinstance(exc, SignInRequired):
            if is_fragment(request):
                return await error_page(request, 401, "Your session ended: sign in again")
            return redirect(f"/auth?next={exc.next_url}")
        if not _is_page(request):
            return await api_app_error(request, exc)
        return await error_page(request, exc.status_code, exc.message)

    async def validation_error(request: Request, exc: RequestValidationError):
        if not _is_page(request):
            return await api_validation(request, exc)
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:])
        return await error_page(
            request, 400, f"{field}: {first.get('msg', 'invalid')}" if field else "Invalid request"
        )

    async def http_error(request: Request, exc: StarletteHTTPException):
        if not _is_page(request):
            return await api_http(request, exc)
        message = (
            "Page not found"
            if exc.status_code == 404
            else (exc.detail if isinstance(exc.detail, str) else "Error")
        )
        return await error_page(request, exc.status_code, message)

    async def unexpected(request: Request, exc: Exception):
        if not _is_page(request) and api_unexpected is not None:
            return await api_unexpected(request, exc)
        log.exception("Unhandled error on %s %s", request.method, request.url.path)
        return await error_page(request, 500, "Something went wrong on the server")

    app.add_exception_handler(AppError, app_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, unexpected)


def mount_ui(app: FastAPI, settings: Settings) -> None:
    if not settings.serve_ui:
        return
    app.router.add_api_route(
        "/static/{path:path}", serve_static, methods=["GET", "HEAD"], include_in_schema=False
    )
    page_route_ids = set()
    for router in PAGE_ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                raise TypeError(f"unsupported route type {type(route).__name__} in {router}")
            route.include_in_schema = False
            app.router.routes.append(route)
            page_route_ids.add(id(route))
    app.state.page_route_ids = frozenset(page_route_ids)
    _install_error_pages(app)
    app.add_middleware(SecurityHeadersMiddleware)
    _stop_live_hub_on_shutdown(app)


def _stop_live_hub_on_shutdown(app: FastAPI) -> None:
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application):
        async with inner(application) as state:
            try:
                yield state
            finally:
                hub = getattr(application.state, "live_hub", None)
                if hub is not None:
                    await hub.stop()

    app.router.lifespan_context = lifespan
