"""The reporting tree: a manager is in the same company, and no agent is its own ancestor."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.agents import queries
from paperclip.db.models import Agent
from paperclip.errors import NotFound, Unprocessable

MAX_DEPTH = 1024


async def ancestors(session: AsyncSession, start: uuid.UUID) -> list[dict[str, Any]]:
    """`start` and its managers upwards, nearest first (rows: id, name, role, title, depth)."""
    return await queries.ANCESTORS.fetch(session, start=start, max_depth=MAX_DEPTH)


async def validate_manager(
    session: AsyncSession, *, company_id: uuid.UUID, manager_id: uuid.UUID, agent_id: uuid.UUID | None = None
) -> None:
    if agent_id is not None and manager_id == agent_id:
        raise Unprocessable("Agent cannot report to itself")
    manager_company = await session.scalar(sa.select(Agent.company_id).where(Agent.id == manager_id))
    if manager_company is None:
        raise NotFound("Manager not found")
    if manager_company != company_id:
        raise Unprocessable("Manager must belong to same company")
    if agent_id is not None and any(row["id"] == agent_id for row in await ancestors(session, manager_id)):
        raise Unprocessable("Reporting relationship would create cycle")


async def chain_of_command(session: AsyncSession, agent: Agent) -> list[dict[str, Any]]:
    if agent.reports_to is None:
        return []
    return [
        {"id": str(row["id"]), "name": row["name"], "role": row["role"], "title": row["title"]}
        for row in await ancestors(session, agent.reports_to)
        if row["id"] != agent.id
    ]
