"""Reading budgets: the overview of policies with their observed spend, and open incidents (one query each)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.costs.budgets import (
    LIFETIME,
    LIFETIME_END,
    LIFETIME_START,
    month_window,
    percent,
    policy_window,
    soft_threshold,
)
from paperclip.wire import iso, uid

_POLICIES_SQL = """
    SELECT p.id, p.company_id, p.scope_type, p.scope_id, p.metric, p.window_kind, p.amount, p.warn_percent,
           p.hard_stop_enabled, p.notify_enabled, p.is_active,
           COALESCE(a.name, pr.name, c.name) AS scope_name,
           CASE p.scope_type WHEN 'agent' THEN a.status = 'paused' WHEN 'project' THEN pr.paused_at IS NOT NULL
                ELSE c.status = 'paused' END AS paused,
           CASE p.scope_type WHEN 'agent' THEN a.pause_reason WHEN 'project' THEN pr.pause_reason
                ELSE c.pause_reason END AS pause_reason,
           (SELECT COALESCE(SUM(ce.cost_cents), 0) FROM cost_events ce
             WHERE ce.company_id = p.company_id
               AND ce.occurred_at >= CASE WHEN p.window_kind = 'lifetime' THEN :ls ELSE :ms END
               AND ce.occurred_at < CASE WHEN p.window_kind = 'lifetime' THEN :le ELSE :me END
               AND (p.scope_type = 'company' OR (p.scope_type = 'agent' AND ce.agent_id = p.scope_id)
                    OR (p.scope_type = 'project' AND ce.project_id = p.scope_id))) AS observed
      FROM budget_policies p
      LEFT JOIN agents a ON p.scope_type = 'agent' AND a.id = p.scope_id
      LEFT JOIN projects pr ON p.scope_type = 'project' AND pr.id = p.scope_id
      LEFT JOIN companies c ON p.scope_type = 'company' AND c.id = p.scope_id
     WHERE p.company_id = :cid {extra}
     ORDER BY p.updated_at DESC, p.id
"""

_INCIDENTS_SQL = """
    SELECT i.*, p.metric, p.window_kind, ap.status AS approval_status, COALESCE(a.name, pr.name, c.name) AS scope_name
      FROM budget_incidents i
      JOIN budget_policies p ON p.id = i.policy_id
      LEFT JOIN approvals ap ON ap.id = i.approval_id
      LEFT JOIN agents a ON i.scope_type = 'agent' AND a.id = i.scope_id
      LEFT JOIN projects pr ON i.scope_type = 'project' AND pr.id = i.scope_id
      LEFT JOIN companies c ON i.scope_type = 'company' AND c.id = i.scope_id
     WHERE i.company_id = :cid AND {where}
     ORDER BY i.created_at DESC, i.id
"""


def _window_params(now: datetime) -> dict[str, datetime]:
    ms, me = month_window(now)
    return {"ms": ms, "me": me, "ls": LIFETIME_START, "le": LIFETIME_END}


def policy_to_wire(row: Any, now: datetime) -> dict[str, Any]:
    ws, we = policy_window(row.window_kind, now)
    observed, amount = int(row.observed), row.amount
    status = "ok"
    if amount > 0 and observed >= amount:
        status = "hard_stop"
    elif amount > 0 and observed >= soft_threshold(amount, row.warn_percent):
        status = "warning"
    return {
        "policyId": str(row.id),
        "companyId": str(row.company_id),
        "scopeType": row.scope_type,
        "scopeId": str(row.scope_id),
        "scopeName": row.scope_name,
        "metric": row.metric,
        "windowKind": row.window_kind,
        "amount": amount,
        "observedAmount": observed,
        "remainingAmount": max(amount - observed, 0),
        "utilizationPercent": percent(observed, amount),
        "warnPercent": row.warn_percent,
        "hardStopEnabled": row.hard_stop_enabled,
        "notifyEnabled": row.notify_enabled,
        "isActive": row.is_active,
        "status": status,
        "paused": bool(row.paused),
        "pauseReason": row.pause_reason,
        "windowStart": iso(ws),
        "windowEnd": iso(we),
    }


def incident_to_wire(row: Any) -> dict[str, Any]:
    window_end = LIFETIME_END if row.window_kind == LIFETIME else month_window(row.window_start)[1]
    return {
        "id": str(row.id),
        "companyId": str(row.company_id),
        "policyId": str(row.policy_id),
        "scopeType": row.scope_type,
        "scopeId": str(row.scope_id),
        "scopeName": row.scope_name,
        "metric": row.metric,
        "windowKind": row.window_kind,
        "windowStart": iso(row.window_start),
        "windowEnd": iso(window_end),
        "thresholdType": row.threshold_type,
        "amountLimit": row.amount_limit,
        "amountObserved": row.amount_observed,
        "status": row.status,
        "approvalId": uid(row.approval_id),
        "approvalStatus": row.approval_status,
        "resolvedAt": iso(row.resolved_at),
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }


async def policy_overview(
    session: AsyncSession, policy_id: uuid.UUID, company_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    sql = sa.text(_POLICIES_SQL.replace("{extra}", "AND p.id = :pid"))
    row = (await session.execute(sql, {"cid": company_id, "pid": policy_id, **_window_params(now)})).one()
    return policy_to_wire(row, now)


async def overview(session: AsyncSession, company_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    params = {"cid": company_id, **_window_params(now)}
    policies = (await session.execute(sa.text(_POLICIES_SQL.replace("{extra}", "")), params)).all()
    incidents = (
        await session.execute(sa.text(_INCIDENTS_SQL.format(where="i.status = 'open'")), {"cid": company_id})
    ).all()
    counts = (
        await session.execute(
            sa.text("""
        SELECT (SELECT count(*) FROM agents WHERE company_id = :cid AND status = 'paused' AND pause_reason = 'budget'),
               (SELECT count(*) FROM projects WHERE company_id = :cid AND paused_at IS NOT NULL AND pause_reason = 'budget'),
               (SELECT count(*) FROM approvals WHERE company_id = :cid AND status = 'pending'
                                                 AND type = 'budget_override_required')
    """),
            {"cid": company_id},
        )
    ).one()
    return {
        "companyId": str(company_id),
        "policies": [policy_to_wire(r, now) for r in policies],
        "activeIncidents": [incident_to_wire(r) for r in incidents],
        "pausedAgentCount": counts[0],
        "pausedProjectCount": counts[1],
        "pendingApprovalCount": counts[2],
    }


async def incident_wire(
    session: AsyncSession, company_id: uuid.UUID, incident_id: uuid.UUID
) -> dict[str, Any]:
    row = (
        await session.execute(
            sa.text(_INCIDENTS_SQL.format(where="i.id = :iid")), {"cid": company_id, "iid": incident_id}
        )
    ).one()
    return incident_to_wire(row)
