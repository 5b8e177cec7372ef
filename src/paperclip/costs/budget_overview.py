"""Reading budgets: the overview of policies with their observed spend, and open incidents (one query each)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.costs import queries
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


def _window_params(now: datetime) -> dict[str, datetime]:
    ms, me = month_window(now)
    return {"ms": ms, "me": me, "ls": LIFETIME_START, "le": LIFETIME_END}


def policy_to_wire(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    ws, we = policy_window(row["window_kind"], now)
    observed, amount = int(row["observed"]), row["amount"]
    status = "ok"
    if amount > 0 and observed >= amount:
        status = "hard_stop"
    elif amount > 0 and observed >= soft_threshold(amount, row["warn_percent"]):
        status = "warning"
    return {
        "policyId": str(row["id"]),
        "companyId": str(row["company_id"]),
        "scopeType": row["scope_type"],
        "scopeId": str(row["scope_id"]),
        "scopeName": row["scope_name"],
        "metric": row["metric"],
        "windowKind": row["window_kind"],
        "amount": amount,
        "observedAmount": observed,
        "remainingAmount": max(amount - observed, 0),
        "utilizationPercent": percent(observed, amount),
        "warnPercent": row["warn_percent"],
        "hardStopEnabled": row["hard_stop_enabled"],
        "notifyEnabled": row["notify_enabled"],
        "isActive": row["is_active"],
        "status": status,
        "paused": bool(row["paused"]),
        "pauseReason": row["pause_reason"],
        "windowStart": iso(ws),
        "windowEnd": iso(we),
    }


def incident_to_wire(row: dict[str, Any]) -> dict[str, Any]:
    window_end = LIFETIME_END if row["window_kind"] == LIFETIME else month_window(row["window_start"])[1]
    return {
        "id": str(row["id"]),
        "companyId": str(row["company_id"]),
        "policyId": str(row["policy_id"]),
        "scopeType": row["scope_type"],
        "scopeId": str(row["scope_id"]),
        "scopeName": row["scope_name"],
        "metric": row["metric"],
        "windowKind": row["window_kind"],
        "windowStart": iso(row["window_start"]),
        "windowEnd": iso(window_end),
        "thresholdType": row["threshold_type"],
        "amountLimit": row["amount_limit"],
        "amountObserved": row["amount_observed"],
        "status": row["status"],
        "approvalId": uid(row["approval_id"]),
        "approvalStatus": row["approval_status"],
        "resolvedAt": iso(row["resolved_at"]),
        "createdAt": iso(row["created_at"]),
        "updatedAt": iso(row["updated_at"]),
    }


async def policy_overview(
    session: AsyncSession, policy_id: uuid.UUID, company_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    row = await queries.POLICY_WITH_SPEND.fetchrow(
        session, cid=company_id, pid=policy_id, **_window_params(now)
    )
    assert row is not None  # the caller has just read or written the policy
    return policy_to_wire(row, now)


async def overview(session: AsyncSession, company_id: uuid.UUID, now: datetime) -> dict[str, Any]:
    policies = await queries.POLICIES_WITH_SPEND.fetch(session, cid=company_id, **_window_params(now))
    incidents = await queries.OPEN_INCIDENTS.fetch(session, cid=company_id)
    counts = await queries.BUDGET_PAUSE_COUNTS.fetchrow(session, cid=company_id)
    assert counts is not None  # a SELECT of scalar subqueries always answers one row
    return {
        "companyId": str(company_id),
        "policies": [policy_to_wire(r, now) for r in policies],
        "activeIncidents": [incident_to_wire(r) for r in incidents],
        "pausedAgentCount": counts["paused_agents"],
        "pausedProjectCount": counts["paused_projects"],
        "pendingApprovalCount": counts["pending_approvals"],
    }


async def incident_wire(
    session: AsyncSession, company_id: uuid.UUID, incident_id: uuid.UUID
) -> dict[str, Any]:
    row = await queries.INCIDENT.fetchrow(session, cid=company_id, iid=incident_id)
    assert row is not None  # the caller has just read or written the incident
    return incident_to_wire(row)
