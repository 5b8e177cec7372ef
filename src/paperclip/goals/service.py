"""Goal use cases. Board and the company's agents may create and change goals."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.companies.scoping import require_same_company
from paperclip.companies.service import get_company, require_company_exists
from paperclip.db.models import Agent, Goal
from paperclip.db.paging import Window
from paperclip.errors import NotFound, Unprocessable
from paperclip.goals import queries
from paperclip.goals.schemas import GoalCreate, GoalPatch

_FIELDS = {
    "title": "title",
    "description": "description",
    "level": "level",
    "status": "status",
    "parentId": "parent_id",
    "ownerAgentId": "owner_agent_id",
}


async def list_goals(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, window: Window | None = None
) -> list[Goal]:
    actor.require_company(company_id)
    stmt = sa.select(Goal).where(Goal.company_id == company_id).order_by(Goal.created_at, Goal.id)
    goals = list(await session.scalars(window.apply(stmt) if window else stmt))
    if not goals:
        await require_company_exists(session, company_id)
    return goals


async def get_goal(
    session: AsyncSession, actor: Actor, goal_id: uuid.UUID, *, for_update: bool = False
) -> Goal:
    actor.require_authenticated()
    stmt = sa.select(Goal).where(Goal.id == goal_id)
    goal = await session.scalar(stmt.with_for_update(key_share=True) if for_update else stmt)
    if goal is None:
        raise NotFound("Goal not found")
    actor.require_company(goal.company_id)
    return goal


async def _check_refs(
    session: AsyncSession, company_id: uuid.UUID, parent_id, owner_id, goal_id=None
) -> None:
    if parent_id is not None:
        if parent_id == goal_id:
            raise Unprocessable("Goal cannot be its own parent")
        await require_same_company(session, Goal, parent_id, company_id, "Parent goal")
        if goal_id is not None and goal_id in {
            row["id"] for row in await queries.ANCESTOR_IDS.fetch(session, start=parent_id)
        }:
            raise Unprocessable("Goal parent would create cycle")
    if owner_id is not None:
        await require_same_company(session, Agent, owner_id, company_id, "Owner agent")


async def create_goal(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, body: GoalCreate, now: datetime
) -> Goal:
    await get_company(session, actor, company_id)
    await _check_refs(session, company_id, body.parentId, body.ownerAgentId)
    goal = Goal(
        id=uuid.uuid4(),
        company_id=company_id,
        title=body.title,
        description=body.description,
        level=body.level,
        status=body.status,
        parent_id=body.parentId,
        owner_agent_id=body.ownerAgentId,
        created_at=now,
        updated_at=now,
    )
    session.add(goal)
    await session.flush()
    await record(
        session,
        actor,
        company_id=company_id,
        action="goal.created",
        entity_type="goal",
        entity_id=goal.id,
        details={"title": goal.title, "level": goal.level},
    )
    return goal


async def update_goal(
    session: AsyncSession, actor: Actor, goal_id: uuid.UUID, body: GoalPatch, now: datetime
) -> Goal:
    goal = await get_goal(session, actor, goal_id, for_update=True)
    parent = body.parentId if body.sent("parentId") and body.parentId != goal.parent_id else None
    owner = (
        body.ownerAgentId if body.sent("ownerAgentId") and body.ownerAgentId != goal.owner_agent_id else None
    )
    await _check_refs(session, goal.company_id, parent, owner, goal.id)
    changes = {}
    for field, attr in _FIELDS.items():
        if body.sent(field) and getattr(goal, attr) != getattr(body, field):
            setattr(goal, attr, getattr(body, field))
            value = getattr(body, field)
            changes[field] = str(value) if isinstance(value, uuid.UUID) else value
    if changes:
        goal.updated_at = now
        await session.flush()
    await record(
        session,
        actor,
        company_id=goal.company_id,
        action="goal.updated",
        entity_type="goal",
        entity_id=goal.id,
        details=changes,
    )
    return goal


async def delete_goal(session: AsyncSession, actor: Actor, goal_id: uuid.UUID) -> Goal:
    goal = await get_goal(session, actor, goal_id, for_update=True)
    await record(
        session,
        actor,
        company_id=goal.company_id,
        action="goal.deleted",
        entity_type="goal",
        entity_id=goal.id,
        details={"title": goal.title},
    )
    await session.execute(sa.delete(Goal).where(Goal.id == goal.id))
    return goal
