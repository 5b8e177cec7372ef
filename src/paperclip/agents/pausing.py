"""An agent paused for another feature's reason (a budget hard stop, its company archived) and resumed
from it: plain service functions other features call instead of writing the agents table (wired for
them by paperclip/wiring.py). (The board's own pause/resume are agents/lifecycle.py.) Kept free of the
agent service's imports: the background process loads this module to stop budgets."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import Agent
from paperclip.vocabulary import AGENT_NOT_INVOKABLE


async def pause_for(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    agent_id: uuid.UUID,
    *,
    reason: str,
    details: dict[str, Any],
    now: datetime,
) -> bool:
    """Pause an agent for `reason` (pause_reason); an agent that cannot be invoked anyway (paused,
    terminated, pending approval) keeps its status. Records `agent.paused` with `details` when it
    changed. Its work is the caller's to stop (runs.lifecycle.cancel_agent_work, with its reason)."""
    paused = await session.scalar(
        sa.update(Agent)
        .where(Agent.id == agent_id, Agent.status.not_in(AGENT_NOT_INVOKABLE))
        .values(status="paused", pause_reason=reason, paused_at=now, updated_at=now)
        .returning(Agent.id)
    )
    if paused is None:
        return False
    await record(
        session,
        actor,
        company_id=company_id,
        action="agent.paused",
        entity_type="agent",
        entity_id=agent_id,
        details=details,
    )
    return True


async def resume_from(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    agent_id: uuid.UUID,
    *,
    reason: str,
    now: datetime,
) -> bool:
    """Undo a pause for `reason` only: an agent paused by hand (or for another reason) stays paused.
    Records `agent.resumed` ({"reason": reason}) when it changed."""
    resumed = await session.scalar(
        sa.update(Agent)
        .where(Agent.id == agent_id, Agent.status == "paused", Agent.pause_reason == reason)
        .values(status="idle", pause_reason=None, paused_at=None, updated_at=now)
        .returning(Agent.id)
    )
    if resumed is None:
        return False
    await record(
        session,
        actor,
        company_id=company_id,
        action="agent.resumed",
        entity_type="agent",
        entity_id=agent_id,
        details={"reason": reason},
    )
    return True


async def pause_company_agents(
    session: AsyncSession, company_id: uuid.UUID, *, reason: str, now: datetime
) -> list[uuid.UUID]:
    """Pause every agent of the company that can be invoked for `reason` (its company archived); the
    ids of the agents paused. The company's own activity entry tells of it (none per agent); their
    work is the caller's to stop (runs.lifecycle.cancel_agent_work)."""
    return list(
        await session.scalars(
            sa.update(Agent)
            .where(Agent.company_id == company_id, Agent.status.not_in(AGENT_NOT_INVOKABLE))
            .values(status="paused", pause_reason=reason, paused_at=now, updated_at=now)
            .returning(Agent.id)
        )
    )


async def resume_company_agents(
    session: AsyncSession, company_id: uuid.UUID, *, reason: str, now: datetime
) -> list[uuid.UUID]:
    """Resume the company's agents paused for `reason` only (one paused by hand stays paused); the ids
    of the agents resumed."""
    return list(
        await session.scalars(
            sa.update(Agent)
            .where(Agent.company_id == company_id, Agent.status == "paused", Agent.pause_reason == reason)
            .values(status="idle", pause_reason=None, paused_at=None, updated_at=now)
            .returning(Agent.id)
        )
    )
