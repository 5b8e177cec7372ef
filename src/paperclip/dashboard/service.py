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
from paperclip.db.rawsql import Sql
from paperclip.errors import NotFound
from paperclip.issues.listing import ts
from paperclip.vocabulary import ISSUE_TERMINAL, sql_in

RUN_DAYS = 14
RECENT_ACTIVITY = 10
FAILED = ("failed", "timed_out")

_SQL = Sql(f"""
SELECT c.budget_monthly_cents,
       ag.active, ag.running, ag.paused, ag.error, ag.paused_budget,
       iss.open, iss.in_progress, iss.blocked, iss.done,
       (SELECT COALESCE(SUM(ce.cost_cents), 0) FROM cost_events ce
         WHERE ce.company_id = c.id AND ce.occurred_at >= :ms AND ce.occurred_at < :me) AS month_spend,
       ap.pending, ap.pending_budget,
       (SELECT count(*) FROM budget_incidents bi WHERE bi.company_id = c.id AND bi.status = 'open') AS incidents,
       (SELECT count(*) FROM projects p WHERE p.company_id = c.id AND p.paused_at IS NOT NULL
                                          AND p.pause_reason = 'budget') AS paused_projects,
       (SELECT COALESCE(json_agg(json_build_array(r.day, r.status, r.error_code, r.n)), '[]'::json) FROM (
          SELECT (hr.created_at AT TIME ZONE 'UTC')::date::text AS day, hr.status, hr.error_code, count(*) AS n
            FROM heartbeat_runs hr WHERE hr.company_id = c.id AND hr.created_at >= :since
           GROUP BY 1, 2, 3) r) AS runs,
       (SELECT COALESCE(json_agg(json_build_object(
                 'id', al.id, 'companyId', al.company_id, 'actorType', al.actor_type, 'actorId', al.actor_id,
                 'action', al.action, 'entityType', al.entity_type, 'entityId', al.entity_id, 'agentId', al.agent_id,
                 'runId', al.run_id, 'details', al.details, 'createdAt', {ts("al.created_at")})
                 ORDER BY al.created_at DESC, al.id DESC), '[]'::json)::text
          FROM (SELECT * FROM activity_log WHERE company_id = c.id
                 ORDER BY created_at DESC, id DESC LIMIT :recent) al) AS recent
  FROM companies c
 CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE status IN ('active', 'idle')) AS active,
              count(*) FILTER (WHERE status = 'running') AS running,
              count(*) FILTER (WHERE status = 'paused') AS paused,
              count(*) FILTER (WHERE status = 'error') AS error,
              count(*) FILTER (WHERE status = 'paused' AND pause_reason = 'budget') AS paused_budget
         FROM agents WHERE company_id = c.id) ag
 CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE status NOT IN ({sql_in(ISSUE_TERMINAL)})) AS open,
              count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
              count(*) FILTER (WHERE status = 'blocked') AS blocked,
              count(*) FILTER (WHERE status = 'done') AS done
         FROM issues WHERE company_id = c.id AND hidden_at IS NULL) iss
 CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
              count(*) FILTER (WHERE status = 'pending' AND type = 'budget_override_required') AS pending_budget
         FROM approvals WHERE company_id = c.id) ap
 WHERE c.id = :cid
""")


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
    row = await _SQL.fetchrow(session, cid=company_id, ms=ms, me=me, since=since, recent=RECENT_ACTIVITY)
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
