"""GET /companies/:id/recovery-observability: how often runs needed a recovery action, week by week
over 8 weeks (Mondays, UTC), against the original's 2% alert threshold, with the actions by cause
and how they were handed off, in the original's shape (recorded side by side)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import Actor
from paperclip.issues import queries

WEEKS = 8
THRESHOLD_PERCENT = 2


def _monday(ts: datetime) -> str:
    day = ts.date()
    return (day - timedelta(days=day.weekday())).isoformat()


async def observability(
    session: AsyncSession, actor: Actor, company_id: UUID, now: datetime
) -> dict[str, Any]:
    actor.require_company(company_id)
    today = now.date()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=now.tzinfo)
    runs = await queries.RUN_TIMES_SINCE.fetch(session, company_id=company_id, since=since)
    actions = await queries.RECOVERY_ACTIONS_SINCE.fetch(session, company_id=company_id, since=since)
    run_weeks = Counter(_monday(r["created_at"]) for r in runs)
    action_weeks = Counter(_monday(a["created_at"]) for a in actions)
    weekly: list[dict[str, Any]] = []
    for i in range(WEEKS):
        start = (first + timedelta(weeks=i)).isoformat()
        n, k = run_weeks[start], action_weeks[start]
        weekly.append(
            {
                "weekStart": start,
                "runs": n,
                "recoveryActions": k,
                "ratePercent": round(k * 100 / n, 2) if n else 0,
            }
        )
    breached = [w for w in weekly if float(w["ratePercent"]) > THRESHOLD_PERCENT]
    causes: dict[tuple[str, str], dict[str, Any]] = {}
    routing: dict[str, dict[str, Any]] = {}
    for a in actions:
        c = causes.setdefault(
            (a["cause"], a["error_code"] or "(none)"),
            {
                "cause": a["cause"],
                "latestRunErrorCode": a["error_code"] or "(none)",
                "count": 0,
                "activeCount": 0,
                "resolvedCount": 0,
                "cancelledCount": 0,
            },
        )
        c["count"] += 1
        key = {"active": "activeCount", "resolved": "resolvedCount", "cancelled": "cancelledCount"}.get(
            a["status"]
        )
        if key:
            c[key] += 1
        p = routing.setdefault(
            a["cause"],
            {
                "cause": a["cause"],
                "total": 0,
                "active": 0,
                "retriedByOriginalSucceeded": 0,
                "handedBack": 0,
                "ownerCompleted": 0,
                "escalated": 0,
                "falsePositive": 0,
                "cancelled": 0,
            },
        )
        p["total"] += 1
        p["active"] += a["status"] == "active"
        p["cancelled"] += a["status"] == "cancelled"
        p["handedBack"] += a["outcome"] == "handed_back"
        p["falsePositive"] += a["outcome"] == "false_positive"
        p["escalated"] += a["outcome"] == "blocked"
    takeovers = [a for a in actions if a["owner_type"] != "board"]
    resolved = [a for a in takeovers if a["status"] == "resolved"]
    handed_back = sum(1 for a in resolved if a["outcome"] == "handed_back")
    return {
        "companyId": company_id,
        "generatedAt": now,
        "window": {"weeks": WEEKS, "since": first.isoformat()},
        "thresholdPercent": THRESHOLD_PERCENT,
        "weekly": weekly,
        "alert": {
            "thresholdPercent": THRESHOLD_PERCENT,
            "breached": bool(breached),
            "breachedWeeks": breached,
            "latestWeek": weekly[-1],
            "latestWeekBreached": float(weekly[-1]["ratePercent"]) > THRESHOLD_PERCENT,
        },
        "byCause": sorted(causes.values(), key=lambda c: -c["count"]),
        "handoff": {
            "resolvedTakeovers": len(resolved),
            "handedBack": handed_back,
            "ownerCompleted": 0,
            "otherTakeover": len(resolved) - handed_back,
            "selfRecovery": 0,
            "boardOwned": sum(1 for a in actions if a["owner_type"] == "board"),
            "activeTakeovers": sum(1 for a in takeovers if a["status"] == "active"),
            "handedBackRatio": round(handed_back / len(resolved), 4) if resolved else None,
            "ownerCompletedRatio": 0 if resolved else None,
        },
        "perCauseRouting": sorted(routing.values(), key=lambda p: -p["total"]),
    }
