"""Identifiers taken from request paths: a malformed id is the same answer as an unknown one (404)."""

from __future__ import annotations

import uuid

from paperclip.errors import NotFound


def path_uuid(value: str, not_found: str) -> uuid.UUID:
    """Parse a path id; anything that is not a UUID raises NotFound(not_found)."""
    if len(value) > 64:
        raise NotFound(not_found)
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(not_found) from None
