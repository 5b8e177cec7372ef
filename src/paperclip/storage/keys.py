"""Object keys: `<companyId>/<namespace>/<YYYY>/<MM>/<DD>/<uuid>-<stem><ext>` (UTC date), every part
sanitised, and the checks a read or delete makes before it touches a provider."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from paperclip.errors import BadRequest, Forbidden

_UNSAFE = re.compile(r"[^a-zA-Z0-9._-]+")
_EXT_UNSAFE = re.compile(r"[^a-z0-9.]+")
SEGMENT_MAX = 120
EXT_MAX = 16


def sanitize_segment(value: str, fallback: str) -> str:
    cleaned = _UNSAFE.sub("_", value.strip())[:SEGMENT_MAX].strip("_")
    # A segment of dots alone (".", "..") would be a path trick once joined: never a segment.
    if not cleaned or set(cleaned) <= {"."}:
        return fallback
    return cleaned


def sanitize_namespace(namespace: str | None) -> str:
    parts = [p for p in (namespace or "").replace("\\", "/").split("/") if p.strip()]
    return "/".join(sanitize_segment(p, "misc") for p in parts) or "misc"


def split_filename(filename: str | None) -> tuple[str, str]:
    """(stem, ext) of an uploaded file's name, each sanitised; the extension lowercased with its dot."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    ext = _EXT_UNSAFE.sub("", ext.lower())[: EXT_MAX - 1].strip(".")
    return sanitize_segment(stem, "file"), (f".{ext}" if ext else "")


def build_key(
    company_id: uuid.UUID,
    namespace: str | None,
    filename: str | None,
    now: datetime | None = None,
    object_id: uuid.UUID | None = None,
) -> str:
    day = (now or datetime.now(UTC)).astimezone(UTC)
    stem, ext = split_filename(filename)
    return (
        f"{company_id}/{sanitize_namespace(namespace)}/{day:%Y/%m/%d}/{object_id or uuid.uuid4()}-{stem}{ext}"
    )


def normalize_key(key: str) -> str:
    """Backslashes to `/`, no leading `/`, no empty, `.` or `..` segment (400 otherwise)."""
    cleaned = key.replace("\\", "/").lstrip("/")
    parts = cleaned.split("/")
    if not cleaned or any(p in ("", ".", "..") for p in parts) or "\x00" in cleaned:
        raise BadRequest("Invalid object key")
    return cleaned


def assert_company_key(company_id: uuid.UUID, key: str) -> str:
    """Reads and deletes only ever touch the company's own objects."""
    if ".." in key:
        raise BadRequest("Invalid object key")
    if not key.startswith(f"{company_id}/"):
        raise Forbidden("Object does not belong to company")
    return normalize_key(key)
