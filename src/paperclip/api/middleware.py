"""Pure ASGI middleware (cheap on the hot path): request log with redaction, body limit, hostname guard."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
from collections.abc import Iterable

from starlette.exceptions import HTTPException

from paperclip import metrics
from paperclip.api.input_guard import is_data_error
from paperclip.logging import REQUEST_ID
from paperclip.redaction import redact_query, redact_text

log = logging.getLogger("paperclip.http")

MAX_BODY_BYTES = 10 * 1024 * 1024
BODY_TIMEOUT_SECONDS = 60.0  # PAPERCLIP_REQUEST_BODY_TIMEOUT_SEC
BODY_TIMEOUT_MESSAGE = "Request body not received in time"
QUIET_PATHS = ("/api/health",)
# An X-Request-Id from a proxy is kept when it looks like an id (no spaces, quotes or control bytes
# that would forge log fields); otherwise one is made.
REQUEST_ID_RE = re.compile(rb"[A-Za-z0-9._:/+=-]{1,128}")
REQUEST_ID_HEADER = b"x-request-id"


async def _send_json(
    send, status: int, body: dict, content_type: str = "application/json", close: bool = False
) -> None:
    payload = json.dumps(body).encode() if content_type == "application/json" else body["error"].encode()
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(payload)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def is_upload_path(path: str) -> bool:
    """POST routes that receive a file: /api/companies/:id/{assets/images,logo,issues/:id/attachments}
    and the board's /<PREFIX>/issues/<ref>/attachments form (same limit and time allowance)."""
    if path.endswith("/attachments"):
        return path.startswith("/api/companies/") or not path.startswith("/api/")
    return path.startswith("/api/companies/") and (path.endswith("/assets/images") or path.endswith("/logo"))


class RequestLogMiddleware:
    """One line per request (method, path, status, duration); failed requests add the redacted body.

    Also the request id (X-Request-Id accepted or made, returned, in every log line of the request)
    and the HTTP metrics (by route template), here rather than in another layer: it is the hot path."""

    def __init__(
        self,
        app,
        max_body: int = MAX_BODY_BYTES,
        upload_max_body: int | None = None,
        body_timeout: float = BODY_TIMEOUT_SECONDS,
    ):
        self.app = app
        self.max_body = max_body
        # File uploads stream to storage under their own limit (PAPERCLIP_ATTACHMENT_MAX_BYTES, enforced
        # while streaming); here they only get an outer bound with room for the multipart envelope.
        self.upload_max_body = upload_max_body or max_body
        # The whole body must have arrived this long after the request started (uploads: ten times
        # as long): a client that sends headers and then nothing, or a byte now and then, would
        # otherwise hold its connection and the handler's resources forever. 0 = no limit.
        self.body_timeout = body_timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(REQUEST_ID_HEADER)
        if request_id is None or REQUEST_ID_RE.fullmatch(request_id) is None:
            request_id = os.urandom(8).hex().encode()
        id_token = REQUEST_ID.set(request_id.decode())
        length = headers.get(b"content-length")
        upload = scope.get("method") == "POST" and is_upload_path(scope.get("path", ""))
        max_body = self.upload_max_body if upload else self.max_body
        if length is not None and length.isdigit() and int(length) > max_body:
            await _send_json(
                send, 413, {"error": "Request body too large", "details": {"limitBytes": max_body}}
            )
            self._log(scope, 413, started)
            REQUEST_ID.reset(id_token)
            return
        body = _BodyReader(receive, max_body, self.body_timeout * (10 if upload else 1))
        status = 500
        response_started = False

        async def send_wrapper(message):
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", ()), (REQUEST_ID_HEADER, request_id)]
                if body.late:  # the rest of the body may still come: it must not be read as a request
                    message["headers"].append((b"connection", b"close"))
            await send(message)

        try:
            await self.app(scope, body.receive, send_wrapper)
        except _BodyTooLarge:
            if not response_started:
                await _send_json(
                    send, 413, {"error": "Request body too large", "details": {"limitBytes": max_body}}
                )
            status = 413
        except _BodyTimeout:
            if not response_started:
                await _send_json(send, 408, {"error": BODY_TIMEOUT_MESSAGE}, close=True)
            status = 408
        except Exception as exc:
            if response_started:
                raise  # a response half sent cannot be repaired: the connection must close
            status = await _answer_error(scope, exc, send_wrapper)
        finally:
            self._log(scope, 413 if body.too_large else status, started)
            if metrics.enabled():
                route = scope.get("route")
                metrics.observe_request(
                    scope.get("method", ""),
                    getattr(route, "path", None) or "unmatched",
                    status,
                    time.perf_counter() - started,
                )
            REQUEST_ID.reset(id_token)

    def _log(self, scope, status: int, started: float) -> None:
        """Never a request body: a rejected request's body is the likeliest to hold what must not be
        kept (a pasted secret, a password typed in the wrong field), and the status says enough."""
        path = scope.get("path", "")
        level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
        if status < 400 and path in QUIET_PATHS:
            level = logging.DEBUG
        if not log.isEnabledFor(level):
            return
        query = scope.get("query_string", b"").decode("latin-1")
        # Redacted here, once: the line then skips the log processors' generic redaction (the hot path).
        # A refused request keeps only its parameters' names, like its body is never kept: it is the
        # likeliest to carry a value where it does not belong (a key pasted into a search box).
        url = redact_text(
            (redact_query(f"{path}?{query}") if status < 400 else _names_only(path, query)) if query else path
        )
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        extra = {"method": scope.get("method"), "path": url, "status": status, "duration_ms": duration_ms}
        log.log(
            level,
            "%s %s %s %sms",
            scope.get("method"),
            url,
            status,
            duration_ms,
            extra={"http": extra, "http_safe": True},
        )


class _BodyReader:
    """The app's `receive`: counts the body against its size limit and its deadline."""

    __slots__ = ("_receive", "max_body", "received", "too_large", "late", "done", "deadline")

    def __init__(self, receive, max_body: int, timeout: float):
        self._receive = receive
        self.max_body = max_body
        self.received = 0
        self.too_large = self.late = False
        self.done = timeout <= 0
        self.deadline = asyncio.get_running_loop().time() + timeout

    async def receive(self):
        if self.done:  # after the body only a disconnect can come: waiting for it is not limited
            return await self._receive()
        try:
            async with asyncio.timeout_at(self.deadline):
                message = await self._receive()
        except TimeoutError:
            self.late = True
            raise _BodyTimeout() from None
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.max_body:
                self.too_large = True
                raise _BodyTooLarge(self.max_body)
            self.done = not message.get("more_body", False)
        else:
            self.done = True
        return message


def _names_only(path: str, query: str) -> str:
    from urllib.parse import parse_qsl

    names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
    return f"{path}?" + "&".join(f"{name}=***" for name in names) if names else path


async def _answer_error(scope, exc: Exception, send) -> int:
    """An error no handler answered, answered here rather than re-raised: the server then keeps the
    keep-alive connection usable (an exception reaching uvicorn closes it without `Connection:
    close`, failing the client's next request too). Data the database refused is the client's error."""
    if is_data_error(exc):
        log.warning(
            "Request data refused by the database on %s %s: %s",
            scope.get("method"),
            scope.get("path"),
            type(exc).__name__,
        )
        await _send_json(send, 400, {"error": "Invalid input: a value cannot be stored"})
        return 400
    log.error("Unhandled error on %s %s", scope.get("method"), scope.get("path"), exc_info=exc)
    await _send_json(send, 500, {"error": "Internal server error"})
    return 500


class _BodyTooLarge(HTTPException):
    """Raised while the body is read: an HTTPException, so FastAPI's body parsing passes it on as a
    413 (a chunked body has no Content-Length to refuse up front) instead of a 400 parse error."""

    def __init__(self, limit: int):
        super().__init__(status_code=413, detail="Request body too large")
        self.limit = limit


class _BodyTimeout(HTTPException):
    """Raised while the body is read, past its deadline: passed on by FastAPI's body parsing like
    _BodyTooLarge, answered 408 by the error handlers or, if nothing answered, here."""

    def __init__(self):
        super().__init__(status_code=408, detail=BODY_TIMEOUT_MESSAGE)


class HostnameGuardMiddleware:
    """The Host must be loopback, allowed (PAPERCLIP_ALLOWED_HOSTNAMES / server.allowedHostnames), or
    the bind host. Active in authenticated/private mode (like the original) and in local_trusted mode
    (unlike it): there every request is the board, so a page on a DNS-rebound name that resolves to
    127.0.0.1 could otherwise drive the whole API from the user's own browser.

    Only `Host` counts: X-Forwarded-Host is whatever the client wrote (the original's guard took it
    first, so `X-Forwarded-Host: localhost` opened the door). Proxies pass Host through by default."""

    HINT = "If you want to allow a hostname, run npx paperclipai allowed-hostname <host>."
    LOCAL_HINT = (
        "This instance runs in local_trusted mode, which answers loopback hostnames only. If you want to "
        "allow a hostname, run npx paperclipai allowed-hostname <host> or set PAPERCLIP_ALLOWED_HOSTNAMES."
    )

    def __init__(self, app, allowed: Iterable[str], local_trusted: bool = False):
        self.app = app
        self.allowed = {h.lower() for h in allowed} | {"localhost", "127.0.0.1", "::1", "[::1]"}
        self.hint = self.LOCAL_HINT if local_trusted else self.HINT

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"host")
        wants_json = scope.get("path", "").startswith("/api") or b"application/json" in headers.get(
            b"accept", b""
        )
        kind = "application/json" if wants_json else "text/plain"
        if not raw:
            return await _send_json(send, 403, {"error": f"Missing Host header. {self.hint}"}, kind)
        hostname = _hostname(raw.decode("latin-1").strip())
        if hostname not in self.allowed:
            # Never echoes the hostname: the hint is meant to be pasted into a shell.
            return await _send_json(
                send,
                403,
                {"error": f"This hostname is not allowed for this Paperclip instance. {self.hint}"},
                kind,
            )
        return await self.app(scope, receive, send)


def _hostname(host: str) -> str:
    host = host.lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
