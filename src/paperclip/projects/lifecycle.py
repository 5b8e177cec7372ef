"""A project paused for another feature's reason (a budget hard stop, reference §8.3): `paused_at` and
`pause_reason` set, and cleared again. Plain service functions other features call instead of
writing the projects table; while paused, heartbeat/project_stop.py keeps its issues from running."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.db.models import Project


async def pause_for(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    reason: str,
    details: dict[str, Any],
    now: datetime,
) -> bool:
    """Pause a project that is not paused yet; records `project.paused` with `details` when it changed."""
    paused = await session.scalar(
        sa.update(Project)
        .where(Project.id == project_id, Project.paused_at.is_(None))
        .values(pause_reason=reason, paused_at=now, updated_at=now)
        .returning(Project.id)
    )
    if paused is None:
        return False
    await record(
        session,
        actor,
        company_id=company_id,
        action="project.paused",
        entity_type="project",
        entity_id=project_id,
        details=details,
    )
    return True


async def resume_from(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    reason: str,
    now: datetime,
) -> bool:
    """Undo a pause for `reason` only; records `project.resumed` ({"reason": reason}) when it changed."""
    resumed = await session.scalar(
        sa.update(Project)
        .where(Project.id == project_id, Project.pause_reason == reason)
        .values(pause_reason=None, paused_at=None, updated_at=now)
        .returning(Project.id)
    )
    if resumed is None:
        return False
    await record(
        session,
        actor,
        company_id=company_id,
        action="project.resumed",
        entity_type="project",
        entity_id=project_id,
        details={"reason": reason},
    )
    return True
