"""A small HTTP client on the standard library (httpx's import alone costs more than a whole CLI call)."""

from __future__ import annotations

import http.client
import json
import ssl
from urllib.parse import urlencode, urlsplit

from paperclip.cli.client.connection import Connection

EXIT_API_REFUSED = 1
EXIT_USAGE = 2
EXIT_CONNECTION = 3
TIMEOUT_SECONDS = 60


class ApiError(Exception):
    def __init__(self, status: int, message: str, body: object):
        super().__init__(message)
        self.status = status
        self.body = body


class ConnectionFailed(Exception):
    pass


def _query(params: dict | None) -> str:
    if not params:
        return ""
    pairs = [(k, v) for k, v in params.items() if v is not None]
    return ("?" + urlencode(pairs, doseq=True)) if pairs else ""


def request(
    conn: Connection,
    method: str,
    path: str,
    *,
    query: dict | None = None,
    body: object = None,
    raw: bytes | None = None,
    content_type: str | None = None,
) -> tuple[int, object, dict[str, str]]:
    """One request; returns (status, parsed body, headers) for 2xx, raises ApiError / ConnectionFailed otherwise."""
    url = urlsplit(conn.api_base)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConnectionFailed(
            f"invalid API base URL {conn.api_base!r} (set --api-base or PAPERCLIP_API_URL)"
        )
    base_path = url.path.rstrip("/")
    headers = {"Accept": "application/json", "User-Agent": "paperclipai-python"}
    if conn.api_key:
        headers["Authorization"] = f"Bearer {conn.api_key}"
    if conn.run_id:
        headers["X-Paperclip-Run-Id"] = conn.run_id
    payload = raw
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif raw is not None and content_type:
        headers["Content-Type"] = content_type
    cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    kwargs = {"context": ssl.create_default_context()} if url.scheme == "https" else {}
    client = cls(url.hostname, url.port, timeout=TIMEOUT_SECONDS, **kwargs)
    target = base_path + path + _query(query)
    try:
        client.request(method, target, body=payload, headers=headers)
        response = client.getresponse()
        data = response.read()
        response_headers = {k.lower(): v for k, v in response.getheaders()}
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        raise ConnectionFailed(f"cannot reach {conn.api_base} ({exc.__class__.__name__}: {exc})") from exc
    finally:
        client.close()
    parsed: object = None
    if data:
        if "json" in response_headers.get("content-type", ""):
            try:
                parsed = json.loads(data)
            except ValueError:
                parsed = data.decode("utf-8", "replace")
        else:
            parsed = data
    if response.status >= 400:
        message = parsed.get("error") if isinstance(parsed, dict) else None
        if not isinstance(message, str):
            message = (
                parsed.decode("utf-8", "replace")[:200] if isinstance(parsed, bytes) else None
            ) or response.reason
        raise ApiError(response.status, message, parsed)
    return response.status, parsed, response_headers
