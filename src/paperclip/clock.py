"""Time is passed in: services take `now`; this is the one place that reads the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
