"""Identifiers from outside (request paths, query strings, JSON payloads, wake contexts), parsed in one
place: a value that is not a UUID names nothing — None here, 404 for a path — never a 500."""

from __future__ import annotations

import uuid
from typing import Any

from paperclip.errors import NotFound

MAX_ID_TEXT = 64  # longer than any spelling uuid.UUID accepts: refused before parsing


def parse_uuid(value: Any) -> uuid.UUID | None:
    """A UUID, or None for anything else (wrong type, too long, malformed)."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str) or len(value) > MAX_ID_TEXT:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def path_uuid(value: str, not_found: str) -> uuid.UUID:
    """Parse a path id; anything that is not a UUID raises NotFound(not_found), like an unknown id."""
    parsed = parse_uuid(value)
    if parsed is None:
        raise NotFound(not_found)
    return parsed
