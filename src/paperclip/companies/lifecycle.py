"""Company status changes: archiving pauses its agents (`company_archived`); reactivating resumes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import Agent, Company
from paperclip.runs.lifecycle import cancel_agent_work
from paperclip.vocabulary import AGENT_NOT_INVOKABLE

ARCHIVED_REASON = "company_archived"


async def set_status(session: AsyncSession, company: Company, status: str, now: datetime) -> dict[str, Any]:
    """Apply a company status; returns details for the activity entry."""
    details: dict[str, Any] = {}
    if status == "archived" and company.status != "archived":
        paused = list(
            await session.scalars(
                sa.update(Agent)
                .where(Agent.company_id == company.id, Agent.status.not_in(AGENT_NOT_INVOKABLE))
                .values(status="paused", pause_reason=ARCHIVED_REASON, paused_at=now, updated_at=now)
                .returning(Agent.id)
            )
        )
        running = []
        for agent_id in paused:
            running += await cancel_agent_work(session, agent_id=agent_id, reason="Company archived", now=now)
        details = {"agentsPaused": len(paused), "runsToStop": len(running)}
    elif status == "active" and company.status == "archived":
        resumed = await session.scalars(
            sa.update(Agent)
            .where(
                Agent.company_id == company.id,
                Agent.status == "paused",
                Agent.pause_reason == ARCHIVED_REASON,
            )
            .values(status="idle", pause_reason=None, paused_at=None, updated_at=now)
            .returning(Agent.id)
        )
        details = {"agentsResumed": len(list(resumed))}
    company.status = status
    if status == "paused":
        company.pause_reason = company.pause_reason or "manual"
        company.paused_at = company.paused_at or now
    else:
        company.pause_reason = None
        company.paused_at = None
    return details
