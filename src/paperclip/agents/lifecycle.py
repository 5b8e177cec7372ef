"""The board's controls over an agent's status: pause, resume, terminate, clear-error, approve.

idle/running/error/active → paused (manual; queued work cancelled) → idle; any → terminated (final);
error → idle (clear-error); pending_approval → idle (approve).

A pause for another feature's reason (a budget hard stop) is agents/pausing.py.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.agents.service import get_board_agent
from paperclip.auth.actor import Actor
from paperclip.db.models import Agent
from paperclip.errors import Conflict
from paperclip.runs.lifecycle import cancel_agent_work


async def _done(
    session: AsyncSession, actor: Actor, agent: Agent, action: str, now: datetime, details=None
) -> Agent:
    agent.updated_at = now
    await session.flush()
    await record(
        session,
        actor,
        company_id=agent.company_id,
        action=action,
        entity_type="agent",
        entity_id=agent.id,
        details=details,
    )
    return agent


async def pause(session: AsyncSession, actor: Actor, agent_id: uuid.UUID, now: datetime) -> Agent:
    agent = await get_board_agent(session, actor, agent_id)
    if agent.status == "terminated":
        raise Conflict("Cannot pause terminated agent")
    if agent.status == "pending_approval":
        raise Conflict("Cannot pause agent pending approval")
    agent.status, agent.pause_reason, agent.paused_at = "paused", "manual", now
    running = await cancel_agent_work(session, agent_id=agent.id, reason="Agent paused", now=now)
    return await _done(session, actor, agent, "agent.paused", now, {"runningRuns": [str(r) for r in running]})


async def resume(session: AsyncSession, actor: Actor, agent_id: uuid.UUID, now: datetime) -> Agent:
    agent = await get_board_agent(session, actor, agent_id)
    if agent.status == "terminated":
        raise Conflict("Cannot resume terminated agent")
    if agent.status == "pending_approval":
        raise Conflict("Cannot resume agent pending approval")
    if agent.status == "paused":
        agent.status = "idle"
    agent.pause_reason, agent.paused_at = None, None
    return await _done(session, actor, agent, "agent.resumed", now)


async def terminate(session: AsyncSession, actor: Actor, agent_id: uuid.UUID, now: datetime) -> Agent:
    agent = await get_board_agent(session, actor, agent_id)
    agent.status, agent.pause_reason, agent.paused_at = "terminated", None, None
    running = await cancel_agent_work(session, agent_id=agent.id, reason="Agent terminated", now=now)
    return await _done(
        session, actor, agent, "agent.terminated", now, {"runningRuns": [str(r) for r in running]}
    )


async def clear_error(session: AsyncSession, actor: Actor, agent_id: uuid.UUID, now: datetime) -> Agent:
    agent = await get_board_agent(session, actor, agent_id)
    if agent.status != "error":
        raise Conflict("Only agents in error status can have their error cleared")
    agent.status = "idle"
    return await _done(session, actor, agent, "agent.error_cleared", now)


async def approve(session: AsyncSession, actor: Actor, agent_id: uuid.UUID, now: datetime) -> Agent:
    agent = await get_board_agent(session, actor, agent_id)
    if agent.status != "pending_approval":
        raise Conflict("Only pending approval agents can be approved")
    agent.status = "idle"
    return await _done(session, actor, agent, "agent.approved", now)
