"""Small per-company lists the pages need for selects and names (agents, projects, labels)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import Agent, Label, Project


async def company_agents(session: AsyncSession, company_id: uuid.UUID) -> list[Agent]:
    return list(
        await session.scalars(
            sa.select(Agent)
            .where(Agent.company_id == company_id, Agent.status != "terminated")
            .order_by(Agent.name)
        )
    )


async def company_projects(session: AsyncSession, company_id: uuid.UUID) -> list[Project]:
    return list(
        await session.scalars(
            sa.select(Project)
            .where(Project.company_id == company_id, Project.archived_at.is_(None))
            .order_by(Project.name)
        )
    )


async def company_labels(session: AsyncSession, company_id: uuid.UUID) -> list[Label]:
    return list(
        await session.scalars(sa.select(Label).where(Label.company_id == company_id).order_by(Label.name))
    )


def by_id(rows) -> dict[str, object]:
    return {str(r.id): r for r in rows}
