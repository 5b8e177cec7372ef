"""Security headers on every board page (and a per-request CSP nonce), as a plain ASGI middleware.

API responses (`/api/...`) get nosniff only: they are JSON and their clients are not browsers.
"""

from __future__ import annotations

import secrets

NONCE_KEY = "paperclip.csp_nonce"


def content_security_policy(nonce: str) -> str:
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


def csp_nonce(scope) -> str:
    return scope.setdefault(NONCE_KEY, secrets.token_urlsafe(16))


class SecurityHeadersMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        is_api = scope["path"].startswith("/api/")

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                add = [(b"x-content-type-options", b"nosniff")]
                if not is_api:
                    add += [
                        (b"content-security-policy", content_security_policy(csp_nonce(scope)).encode()),
                        (b"x-frame-options", b"DENY"),
                        (b"referrer-policy", b"same-origin"),
                        (b"cross-origin-opener-policy", b"same-origin"),
                        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                    ]
                headers += [(k, v) for k, v in add if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)
