"""Agent API keys: `pcp_` + 48 hex shown once; only the SHA-256 is stored. Board only."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.agents.service import get_agent, get_board_agent
from paperclip.auth.actor import Actor
from paperclip.auth.tokens import hash_token, new_token
from paperclip.db.models import AgentApiKey
from paperclip.db.paging import Window
from paperclip.errors import Conflict, NotFound


async def create_key(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, name: str, now: datetime
) -> tuple[AgentApiKey, str]:
    agent = await get_board_agent(session, actor, agent_id)
    if agent.status == "terminated":
        raise Conflict("Cannot create keys for terminated agents")
    token = new_token()
    key = AgentApiKey(
        id=uuid.uuid4(),
        agent_id=agent.id,
        company_id=agent.company_id,
        name=name,
        key_hash=hash_token(token),
        created_at=now,
    )
    session.add(key)
    await session.flush()
    await record(
        session,
        actor,
        company_id=agent.company_id,
        action="agent.key_created",
        entity_type="agent",
        entity_id=agent.id,
        details={"name": name, "keyId": str(key.id)},
    )
    return key, token


async def list_keys(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, window: Window | None = None
) -> list[AgentApiKey]:
    actor.require_board()
    agent = await get_agent(session, actor, agent_id)
    stmt = (
        sa.select(AgentApiKey)
        .where(AgentApiKey.agent_id == agent.id)
        .order_by(AgentApiKey.created_at.desc(), AgentApiKey.id)
    )
    return list(await session.scalars(window.apply(stmt) if window else stmt))


async def revoke_key(
    session: AsyncSession, actor: Actor, agent_id: uuid.UUID, key_id: uuid.UUID, now: datetime
) -> None:
    agent = await get_board_agent(session, actor, agent_id)
    key = await session.scalar(
        sa.select(AgentApiKey).where(AgentApiKey.id == key_id, AgentApiKey.agent_id == agent.id)
    )
    if key is None:
        raise NotFound("Key not found")
    if key.revoked_at is None:
        key.revoked_at = now
        await session.flush()
    await record(
        session,
        actor,
        company_id=agent.company_id,
        action="agent.key_revoked",
        entity_type="agent",
        entity_id=agent.id,
        details={"name": key.name, "keyId": str(key.id)},
    )
