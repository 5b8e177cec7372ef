"""Company status changes: archiving pauses its agents (`company_archived`); reactivating resumes them
(the agents feature's operations, agent_pausing.py).

`pause_for` / `resume_from`: a pause for another feature's reason (a budget hard stop), as plain
service functions other features call instead of writing the companies table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.companies.agent_pausing import agent_pausing
from paperclip.db.models import Company
from paperclip.runs.lifecycle import cancel_agent_work

ARCHIVED_REASON = "company_archived"


async def set_status(session: AsyncSession, company: Company, status: str, now: datetime) -> dict[str, Any]:
    """Apply a company status; returns details for the activity entry."""
    details: dict[str, Any] = {}
    if status == "archived" and company.status != "archived":
        paused = await agent_pausing().pause_all(session, company.id, reason=ARCHIVED_REASON, now=now)
        running = []
        for agent_id in paused:
            running += await cancel_agent_work(session, agent_id=agent_id, reason="Company archived", now=now)
        details = {"agentsPaused": len(paused), "runsToStop": len(running)}
    elif status == "active" and company.status == "archived":
        resumed = await agent_pausing().resume_all(session, company.id, reason=ARCHIVED_REASON, now=now)
        details = {"agentsResumed": len(resumed)}
    company.status = status
    if status == "paused":
        company.pause_reason = company.pause_reason or "manual"
        company.paused_at = company.paused_at or now
    else:
        company.pause_reason = None
        company.paused_at = None
    return details


async def pause_for(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    *,
    reason: str,
    details: dict[str, Any],
    now: datetime,
) -> bool:
    """Pause an active company for `reason` (pause_reason); a paused or archived one is left alone.
    Records `company.paused` with `details` when it changed. Its agents' work is the caller's to stop."""
    paused = await session.scalar(
        sa.update(Company)
        .where(Company.id == company_id, Company.status == "active")
        .values(status="paused", pause_reason=reason, paused_at=now, updated_at=now)
        .returning(Company.id)
    )
    if paused is None:
        return False
    await record(
        session,
        actor,
        company_id=company_id,
        action="company.paused",
        entity_type="company",
        entity_id=company_id,
        details=details,
    )
    return True


async def resume_from(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, *, reason: str, now: datetime
) -> bool:
    """Undo a pause for `reason` only (a company paused by hand stays paused). Records
    `company.resumed` ({"reason": reason}) when it changed."""
    resumed = await session.scalar(
        sa.update(Company)
        .where(Company.id == company_id, Company.status == "paused", Company.pause_reason == reason)
        .values(status="active", pause_reason=None, paused_at=None, updated_at=now)
        .returning(Company.id)
    )
    if resumed is None:
        return False
    await record(
        session,
        actor,
        company_id=company_id,
        action="company.resumed",
        entity_type="company",
        entity_id=company_id,
        details={"reason": reason},
    )
    return True
