"""The company dashboard: every figure in one SQL statement (aggregates with FILTER), one round trip;
the recent activity arrives as JSON text in wire form and is spliced into the body, which is
serialised once (pydantic-core), not by FastAPI's generic encoder."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic_core import to_json
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.costs.budgets import month_window, percent
from paperclip.dashboard import queries
from paperclip.errors import NotFound

RUN_DAYS = 14
RECENT_ACTIVITY = 10
FAILED = ("failed", "timed_out")


def _run_activity(rows: list[list[Any]], today: datetime) -> list[dict[str, Any]]:
    days = [(today.date() - timedelta(days=offset)).isoformat() for offset in range(RUN_DAYS - 1, -1, -1)]
    buckets = {
        d: {
            "date": d,
            "succeeded": 0,
            "failed": 0,
            "recovered": 0,
            "other": 0,
            "total": 0,
            "failedByErrorCode": {},
        }
        for d in days
    }
    for day, status, error_code, count in rows:
        bucket = buckets.get(day)
        if bucket is None:
            continue
        bucket["total"] += count
        if status == "succeeded":
            bucket["succeeded"] += count
        elif status in FAILED:
            bucket["failed"] += count
            code = error_code or status
            bucket["failedByErrorCode"][code] = bucket["failedByErrorCode"].get(code, 0) + count
        elif status == "interrupted":
            bucket["recovered"] += count
        else:
            bucket["other"] += count
    return list(buckets.values())


async def dashboard(session: AsyncSession, company_id: uuid.UUID, now: datetime) -> bytes:
    """The dashboard as JSON bytes."""
    now = now.astimezone(UTC)
    ms, me = month_window(now)
    since = datetime(now.year, now.month, now.day, tzinfo=UTC) - timedelta(days=RUN_DAYS - 1)
    row = await queries.DASHBOARD.fetchrow(
        session, cid=company_id, ms=ms, me=me, since=since, recent=RECENT_ACTIVITY
    )
    if row is None:
        raise NotFound("Company not found")
    budget, spend = int(row["budget_monthly_cents"]), int(row["month_spend"])
    head = to_json(
        {
            "companyId": str(company_id),
            "agents": {
                "active": row["active"],
                "running": row["running"],
                "paused": row["paused"],
                "error": row["error"],
            },
            "tasks": {
                "open": row["open"],
                "inProgress": row["in_progress"],
                "blocked": row["blocked"],
                "done": row["done"],
            },
            "costs": {
                "monthSpendCents": spend,
                "monthBudgetCents": budget,
                "monthUtilizationPercent": percent(spend, budget),
            },
            "pendingApprovals": row["pending"],
            "budgets": {
                "activeIncidents": row["incidents"],
                "pendingApprovals": row["pending_budget"],
                "pausedAgents": row["paused_budget"],
                "pausedProjects": row["paused_projects"],
            },
            "runActivity": _run_activity(row["runs"], now),
        }
    )
    return head[:-1] + b',"recentActivity":' + row["recent"].encode() + b"}"
