"""Static files under /static/: content-hashed URLs (`static_url`) cached for a year, ETags otherwise."""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response

STATIC_DIR = Path(__file__).parent / "static"
_hashes: dict[str, tuple[float, str]] = {}


def _resolve(path: str) -> Path | None:
    target = (STATIC_DIR / path).resolve()
    if STATIC_DIR.resolve() not in target.parents or not target.is_file():
        return None
    return target


def file_hash(path: str) -> str:
    target = _resolve(path)
    if target is None:
        return "missing"
    mtime = target.stat().st_mtime
    cached = _hashes.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, hashlib.sha256(target.read_bytes()).hexdigest()[:12])
        _hashes[path] = cached
    return cached[1]


def static_url(path: str) -> str:
    """`/static/<path>?v=<content hash>`: the URL changes whenever the file does."""
    return f"/static/{path}?v={file_hash(path)}"


async def serve_static(request: Request, path: str) -> Response:
    target = _resolve(path)
    if target is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    etag = f'"{file_hash(path)}"'
    versioned = request.query_params.get("v") == etag.strip('"')
    headers = {
        "etag": etag,
        "cache-control": "public, max-age=31536000, immutable" if versioned else "no-cache",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if media.startswith("text/") or media in ("application/javascript", "image/svg+xml"):
        media += "; charset=utf-8"
    return Response(target.read_bytes(), media_type=media, headers=headers)
