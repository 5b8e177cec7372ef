"""Which content types an upload may have, which are shown inline, and how sizes are written."""

from __future__ import annotations

import mimetypes

DEFAULT_ALLOWED_TYPES = (
    "image/png",
    "image/jpeg",
    "image/jpg",
    "image/webp",
    "image/gif",
    "application/pdf",
    "text/markdown",
    "text/plain",
    "application/json",
    "text/csv",
    "text/html",
)
LOGO_TYPES = ("image/png", "image/jpeg", "image/jpg", "image/webp", "image/gif", "image/svg+xml")
SVG = "image/svg+xml"
# Shown in the browser (Content-Disposition: inline); everything else, SVG and HTML included, is
# served as a sandboxed attachment.
INLINE_SAFE = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/jpg",
        "image/webp",
        "image/gif",
        "application/pdf",
        "text/plain",
        "text/markdown",
        "text/csv",
        "application/json",
    }
)
TEXTUAL = frozenset({"text/plain", "text/markdown", "text/csv", "text/html", "application/json"})


def normalize_type(raw: str | None, filename: str | None = None) -> str:
    """The lowercased media type without parameters; guessed from the name when the client sent none."""
    value = (raw or "").split(";", 1)[0].strip().lower()
    if not value or value == "application/octet-stream":
        guessed = mimetypes.guess_type(filename or "")[0]
        if guessed:
            return guessed.lower()
    return value or "application/octet-stream"


def type_allowed(content_type: str, patterns: tuple[str, ...] | None) -> bool:
    """`*`, `type/*`, `prefix.*` (e.g. `application/vnd.openxmlformats-officedocument.*`) or exact types."""
    for pattern in patterns if patterns is not None else DEFAULT_ALLOWED_TYPES:
        if pattern == "*" or pattern == content_type:
            return True
        if pattern.endswith("/*") and content_type.startswith(pattern[:-1]):
            return True
        if pattern.endswith(".*") and content_type.startswith(pattern[:-1]):
            return True
    return False


def format_size(limit: int) -> str:
    """10485760 -> "10 MB" (the original's wording: binary units with decimal names)."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if limit >= size:
            value = limit / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{limit} bytes"
