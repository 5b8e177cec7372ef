"""Serving stored bytes (deploy §7.4): private, never sniffed, ETag'd, one range at a time, inline
only for types a browser shows safely; everything else (SVG and HTML always) is a sandboxed
attachment. Bytes always stream through the server (no pre-signed URLs)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from paperclip.api.responses import returns
from paperclip.config.settings import StorageSettings
from paperclip.db.models import Asset
from paperclip.storage.providers.s3 import StorageUnavailable
from paperclip.storage.registry import provider_by_id
from paperclip.storage.types import INLINE_SAFE, TEXTUAL

CHARSET_CHECK_MAX = 2 * 1024 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """(start, end) inclusive; None for no Range header; "invalid" for what gets a 416."""
    if header is None:
        return None
    match = _RANGE.match(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        return "invalid"  # malformed, or several ranges: only single ranges are served
    first, last = match.group(1), match.group(2)
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return "invalid"
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return "invalid"
    return start, end


def _disposition(kind: str, filename: str | None) -> str:
    name = filename or "file"
    ascii_name = re.sub(r'[^\x20-\x7e]|["\\]', "_", name)
    value = f'{kind}; filename="{ascii_name}"'
    if ascii_name != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


async def content_response(
    request: Request, storage: StorageSettings, asset: Asset, *, download: bool = False
) -> Response:
    provider = provider_by_id(storage, asset.provider)
    if provider is None:
        raise StorageUnavailable(
            f"Asset is stored with provider {asset.provider}, which is not configured "
            "(PAPERCLIP_STORAGE_PROVIDER)"
        )
    etag = f'"{asset.sha256}"'
    inline = asset.content_type in INLINE_SAFE and not download
    headers = {
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Content-Disposition": _disposition("inline" if inline else "attachment", asset.original_filename),
    }
    if asset.content_type not in INLINE_SAFE:
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    size = asset.byte_size
    wanted = parse_range(request.headers.get("range"), size)
    if wanted == "invalid":
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    media_type = asset.content_type
    if wanted is None and asset.content_type in TEXTUAL and size <= CHARSET_CHECK_MAX:
        # Textual types say charset=utf-8 only when the bytes really are UTF-8.
        body = b"".join(await asyncio.to_thread(lambda: list(provider.read(asset.object_key))))
        try:
            body.decode("utf-8")
            media_type += "; charset=utf-8"
        except UnicodeDecodeError:
            pass
        return Response(body, headers={**headers, "Content-Type": media_type})
    start, end = wanted if wanted is not None else (0, size - 1)
    chunks: Iterator[bytes] = await asyncio.to_thread(
        provider.read, asset.object_key, start, end if size else None
    )
    headers["Content-Length"] = str(max(end - start + 1, 0))
    status = 200
    if wanted is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    # Content-Type as a header, not media_type: Starlette would add a charset to every text/* type.
    return StreamingResponse(chunks, status_code=status, headers={**headers, "Content-Type": media_type})


def file_content(endpoint):
    """A stored file (storage/serving.content_response): its bytes in their stored content type, a
    byte range of them, or not modified."""
    for status, description in (
        (416, "The requested range is outside the file"),
        (304, "Not modified (If-None-Match)"),
    ):
        endpoint = returns(None, status=status, description=description)(endpoint)
    endpoint = returns(media="*/*", status=206, description="The requested byte range")(endpoint)
    return returns(media="*/*", description="The file, in its stored content type")(endpoint)
