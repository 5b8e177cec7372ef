"""Trusted browser origins (deploy §4.3): a cookie-authenticated mutation must come from one of them.

The set: the public URL's origin; `http(s)://<host>` (and `:<port>` when the port is not 80/443) for
every allowed hostname; `http://localhost:3100`, `http://127.0.0.1:3100`; the listen port on
loopback; BETTER_AUTH_TRUSTED_ORIGINS. A request's own host (`http(s)://<Host>`) is trusted too: a
browser sends the Host of the page's server, so a foreign page cannot forge it together with Origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from paperclip.config import Settings
from paperclip.errors import Forbidden

MESSAGE = "Board mutation requires trusted browser origin"


def _origin(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def trusted_origins(settings: Settings, port: int | None = None) -> frozenset[str]:
    port = port or settings.port
    origins = {
        "http://localhost:3100",
        "http://127.0.0.1:3100",
        f"http://localhost:{port}",
        f"http://127.0.0.1:{port}",
    }
    for url in (settings.auth_public_base_url, settings.env.get("PAPERCLIP_PUBLIC_URL")):
        if url and (origin := _origin(url)):
            origins.add(origin)
    for host in settings.allowed_hostnames:
        for scheme in ("http", "https"):
            origins.add(f"{scheme}://{host}")
            if port not in (80, 443):
                origins.add(f"{scheme}://{host}:{port}")
    for extra in (settings.env.get("BETTER_AUTH_TRUSTED_ORIGINS") or "").split(","):
        if extra.strip() and (origin := _origin(extra)):
            origins.add(origin)
    return frozenset(origins)


def request_origin(headers) -> str | None:
    """The Origin header, else the Referer's origin."""
    origin = headers.get("origin")
    if origin and origin != "null":
        return _origin(origin)
    referer = headers.get("referer")
    return _origin(referer) if referer else None


def is_trusted(headers, trusted: frozenset[str]) -> bool:
    origin = request_origin(headers)
    if origin is None:
        return False
    if origin in trusted:
        return True
    host = (headers.get("host") or "").lower()
    return bool(host) and origin in (f"http://{host}", f"https://{host}")


def require_trusted_origin(headers, trusted: frozenset[str]) -> None:
    if not is_trusted(headers, trusted):
        raise Forbidden(MESSAGE)
