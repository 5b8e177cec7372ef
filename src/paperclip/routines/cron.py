"""Cron expressions and time zones of schedule triggers: validation with field-naming errors and the
next run time, computed by cronsim in the trigger's IANA zone.

Why cronsim: small, pure Python, maintained (it runs Healthchecks.io's cron checks), and it follows
Debian cron's DST rules: a wall-clock time skipped by a spring-forward runs right after the jump
(02:30 → 03:00), a time repeated by a fall-back runs once, and wildcard minutes/hours follow real
elapsed time. croniter's DST handling has had long-standing open bugs; hand-parsing cron is out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from paperclip.errors import Unprocessable

MAX_CRON_CHARS = 200


def check_timezone(name: str) -> ZoneInfo:
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise Unprocessable(f"Invalid timezone: {name}", details={"field": "timezone"})
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise Unprocessable(f"Invalid timezone: {name}", details={"field": "timezone"}) from None


def check_cron(expression: str) -> str:
    """The expression, normalised to single spaces; 422 naming `cronExpression` when cron refuses it."""
    text = " ".join((expression or "").split())
    fields = text.split(" ") if text else []
    if len(expression or "") > MAX_CRON_CHARS or len(fields) != 5:
        raise Unprocessable(
            f'Cron expression must have exactly 5 fields, got {len(fields)}: "{expression}"',
            details={"field": "cronExpression"},
        )
    try:
        CronSim(text, datetime(2026, 1, 1, tzinfo=UTC))
    except CronSimError as exc:
        raise Unprocessable(
            f'Invalid cron expression "{text}": {exc}', details={"field": "cronExpression"}
        ) from None
    return text


def next_run_after(expression: str, timezone: str, after: datetime) -> datetime | None:
    """The first run time strictly after `after`, in UTC (None if the expression never matches again)."""
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    try:
        found = next(CronSim(expression, local))
    except StopIteration:
        return None
    result = found.astimezone(UTC)
    if result <= after:  # cronsim starts from the minute after `local`; never hand back the same instant
        return next_run_after(expression, timezone, after + timedelta(minutes=1))
    return result
