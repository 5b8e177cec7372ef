"""The org chart: the company's agents (terminated ones left out) as a tree of `reports`."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.db.models import Agent


async def org_tree(session: AsyncSession, company_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = (
        await session.execute(
            sa.select(Agent.id, Agent.name, Agent.role, Agent.title, Agent.status, Agent.reports_to)
            .where(Agent.company_id == company_id, Agent.status != "terminated")
            .order_by(Agent.created_at, Agent.id)
        )
    ).all()
    nodes = {
        row.id: {
            "id": str(row.id),
            "name": row.name,
            "role": row.role,
            "title": row.title,
            "status": row.status,
            "reports": [],
        }
        for row in rows
    }
    roots: list[dict[str, Any]] = []
    for row in rows:
        manager = nodes.get(row.reports_to) if row.reports_to else None
        (manager["reports"] if manager is not None else roots).append(nodes[row.id])
    return roots
