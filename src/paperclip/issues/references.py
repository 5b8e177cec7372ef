"""Checks on the ids an issue body names: each must exist (404) and belong to the issue's company (422)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.auth.actor import LOCAL_BOARD_USER_ID, Actor
from paperclip.db.models import Agent, CompanyMembership, Goal, Issue, Label, Project, User
from paperclip.errors import NotFound, Unprocessable
from paperclip.vocabulary import AGENT_UNASSIGNABLE


async def check_agent_assignee(session: AsyncSession, company_id: uuid.UUID, agent_id: uuid.UUID) -> str:
    """Returns the agent's name; the agent must be in the company and able to take work."""
    row = (
        await session.execute(
            sa.select(Agent.company_id, Agent.status, Agent.name).where(Agent.id == agent_id)
        )
    ).first()
    if row is None:
        raise NotFound("Agent not found")
    if row.company_id != company_id:
        raise Unprocessable("Assignee agent must belong to the same company")
    if row.status in AGENT_UNASSIGNABLE:
        raise Unprocessable(f"Cannot assign work to an agent with status {row.status}")
    return row.name


async def check_user_assignee(
    session: AsyncSession, actor: Actor, company_id: uuid.UUID, user_id: str
) -> None:
    if user_id in (LOCAL_BOARD_USER_ID, actor.user_id):
        return
    known = await session.scalar(sa.select(sa.exists().where(User.id == user_id)))
    if not known:
        raise NotFound("Assignee user not found")
    member = await session.scalar(
        sa.select(
            sa.exists().where(
                CompanyMembership.company_id == company_id,
                CompanyMembership.principal_type == "user",
                CompanyMembership.principal_id == user_id,
                CompanyMembership.status == "active",
            )
        )
    )
    if not member:
        raise Unprocessable("Assignee user must be a member of the company")


async def _company_of(session: AsyncSession, column_company, column_id, value: uuid.UUID):
    return await session.scalar(sa.select(column_company).where(column_id == value))


async def check_project(
    session: AsyncSession, company_id: uuid.UUID, project_id: uuid.UUID
) -> uuid.UUID | None:
    """Returns the project's goal (used when the issue names no goal)."""
    row = (
        await session.execute(sa.select(Project.company_id, Project.goal_id).where(Project.id == project_id))
    ).first()
    if row is None:
        raise NotFound("Project not found")
    if row.company_id != company_id:
        raise Unprocessable("Project must belong to the same company")
    return row.goal_id


async def check_goal(session: AsyncSession, company_id: uuid.UUID, goal_id: uuid.UUID) -> None:
    owner = await _company_of(session, Goal.company_id, Goal.id, goal_id)
    if owner is None:
        raise NotFound("Goal not found")
    if owner != company_id:
        raise Unprocessable("Goal must belong to the same company")


async def check_parent(
    session: AsyncSession, company_id: uuid.UUID, parent_id: uuid.UUID, issue_id: uuid.UUID | None = None
) -> None:
    owner = await _company_of(session, Issue.company_id, Issue.id, parent_id)
    if owner is None:
        raise NotFound("Parent issue not found")
    if owner != company_id:
        raise Unprocessable("Parent issue must belong to the same company")
    if issue_id is None:
        return
    if parent_id == issue_id:
        raise Unprocessable("Issue cannot be its own parent")
    # Walk up from the new parent: meeting the issue itself would close a cycle.
    issues = Issue.__table__
    chain = (
        sa.select(issues.c.id, issues.c.parent_id, sa.literal(1).label("depth"))
        .where(issues.c.id == parent_id)
        .cte("chain", recursive=True)
    )
    chain = chain.union_all(
        sa.select(issues.c.id, issues.c.parent_id, (chain.c.depth + 1).label("depth"))
        .join(chain, issues.c.id == chain.c.parent_id)
        .where(chain.c.depth < 1024)
    )
    loops = await session.scalar(sa.select(sa.exists().where(chain.c.id == issue_id)))
    if loops:
        raise Unprocessable("Parent change would create a cycle")


async def check_labels(
    session: AsyncSession, company_id: uuid.UUID, label_ids: Iterable[uuid.UUID]
) -> list[uuid.UUID]:
    wanted = list(dict.fromkeys(label_ids))
    if not wanted:
        return []
    found = set(
        await session.scalars(sa.select(Label.id).where(Label.id.in_(wanted), Label.company_id == company_id))
    )
    if len(found) != len(wanted):
        raise Unprocessable("One or more labels are invalid for this company")
    return wanted
