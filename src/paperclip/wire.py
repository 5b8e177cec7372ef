"""Small converters to the original's JSON conventions (camelCase; ISO-8601 UTC with milliseconds)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value.isoformat()


def uid(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None
