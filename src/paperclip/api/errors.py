"""One error format for every response: `{"error": "...", "details": ...}`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from paperclip.errors import AppError

log = logging.getLogger("paperclip.api")


def error_body(message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": message}
    if details is not None:
        body["details"] = details
    return body


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]  # where it came from is not part of the field's name (a field may be called "body")
        if err.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            loc.append(str(err.get("ctx", {}).get("discriminator", "")).strip("'"))  # name the tag's field
        details.append(
            {
                "path": loc,
                "field": ".".join(loc),
                "message": err.get("msg", "invalid"),
                "code": err.get("type"),
            }
        )
    return details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(_request: Request, exc: AppError) -> JSONResponse:
        # An error may carry its own wire body (sign-in errors in Better Auth's shape) and headers (Retry-After).
        body = getattr(exc, "wire_body", None) or error_body(exc.message, exc.details)
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body("Validation error", _validation_details(exc)), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404 and request.url.path.startswith("/api"):
            return JSONResponse(error_body("API route not found"), status_code=404)
        message = exc.detail if isinstance(exc.detail, str) else "Request failed"
        return JSONResponse(
            error_body(message), status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("Unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("Internal server error"), status_code=500)
