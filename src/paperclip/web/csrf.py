"""CSRF protection for the board's forms: a signed-free double-submit token.

A random token lives in the `pc_csrf` cookie (SameSite=Strict, HttpOnly); every page renders it
into its forms (`<input type="hidden" name="_csrf">`) and into `<meta name="csrf-token">` for
fetch (`X-CSRF-Token` header). A mutation is accepted only when the submitted token equals the
cookie's and, when the browser sends an Origin, that Origin is this server. Both the page routes
(`Depends(csrf_protect)`) and app.js use it.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request

from paperclip.errors import Forbidden
from paperclip.web.forms import form_data

COOKIE = "pc_csrf"
FIELD = "_csrf"
HEADER = "x-csrf-token"


def csrf_token(request: Request) -> str:
    """The request's token: the cookie's, or a new one (set on the response by the security middleware)."""
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        token = request.cookies.get(COOKIE)
        if not token or len(token) != 43:
            token = secrets.token_urlsafe(32)
            request.state.csrf_new = True
        request.state.csrf_token = token
    return token


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


async def csrf_protect(request: Request) -> None:
    """Dependency for every mutating page route."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    cookie = request.cookies.get(COOKIE)
    sent = request.headers.get(HEADER)
    if sent is None:
        sent = (await form_data(request)).get(FIELD)
    if not cookie or not sent or not hmac.compare_digest(cookie, sent) or not _same_origin(request):
        raise Forbidden("Invalid or missing CSRF token; reload the page and try again")
