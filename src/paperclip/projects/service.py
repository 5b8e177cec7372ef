"""Project use cases, with goal links kept in project_goals (goalId = the first linked goal)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from paperclip.activity.service import record
from paperclip.auth.actor import Actor
from paperclip.companies.scoping import require_same_company
from paperclip.companies.service import get_company, require_company_exists
from paperclip.db.models import Agent, Goal, Project, ProjectGoal
from paperclip.db.paging import Window
from paperclip.errors import NotFound, Unprocessable
from paperclip.projects.schemas import ProjectCreate, ProjectPatch
from paperclip.projects.url_keys import free_url_key
from paperclip.redaction import is_redacted_env_value
from paperclip.secrets.bindings import normalize_env

GoalLinks = dict[uuid.UUID, list[tuple[uuid.UUID, str]]]
_FIELDS = {
    "name": "name",
    "description": "description",
    "status": "status",
    "leadAgentId": "lead_agent_id",
    "targetDate": "target_date",
    "color": "color",
    "icon": "icon",
    "env": "env",
    "archivedAt": "archived_at",
}


async def goal_links(session: AsyncSession, project_ids: list[uuid.UUID]) -> GoalLinks:
    links: GoalLinks = defaultdict(list)
    if project_ids:
        rows = await session.execute(
            sa.select(ProjectGoal.project_id, Goal.id, Goal.title)
            .join(Goal, Goal.id == ProjectGoal.goal_id)
            .where(ProjectGoal.project_id.in_(project_ids))
            .order_by(ProjectGoal.created_at, Goal.title, Goal.id)
        )
        for project_id, goal_id, title in rows:
            links[project_id].append((goal_id, title))
    return links


async def list_projects(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    *,
    include_archived: bool = True,
    window: Window | None = None,
) -> tuple[list[Project], GoalLinks]:
    actor.require_company(company_id)
    stmt = sa.select(Project).where(Project.company_id == company_id)
    if not include_archived:
        stmt = stmt.where(Project.archived_at.is_(None))
    stmt = stmt.order_by(Project.created_at, Project.id)
    projects = list(await session.scalars(window.apply(stmt) if window else stmt))
    if not projects:
        await require_company_exists(session, company_id)
    return projects, await goal_links(session, [p.id for p in projects])


async def get_project(
    session: AsyncSession, actor: Actor, project_id: uuid.UUID, *, for_update: bool = False
) -> Project:
    actor.require_authenticated()
    stmt = sa.select(Project).where(Project.id == project_id)
    project = await session.scalar(stmt.with_for_update(key_share=True) if for_update else stmt)
    if project is None:
        raise NotFound("Project not found")
    actor.require_company(project.company_id)
    return project


def _wanted_goals(body: ProjectCreate | ProjectPatch) -> list[uuid.UUID] | None:
    """The goal list the body asks for, or None when it does not touch goals."""
    if body.sent("goalIds") and body.goalIds is not None:
        return list(dict.fromkeys(body.goalIds))
    if body.sent("goalId"):
        return [body.goalId] if body.goalId else []
    return None


async def _check_goals(session: AsyncSession, company_id: uuid.UUID, goal_ids: list[uuid.UUID]) -> None:
    if goal_ids:
        found = set(
            await session.scalars(
                sa.select(Goal.id).where(Goal.id.in_(goal_ids), Goal.company_id == company_id)
            )
        )
        unknown = [str(g) for g in goal_ids if g not in found]
        if unknown:
            raise Unprocessable(
                f"Unknown goal id(s) for this company: {', '.join(unknown)}",
                details={"unknownGoalIds": unknown},
            )


async def _write_goal_links(
    session: AsyncSession, project: Project, goal_ids: list[uuid.UUID], now: datetime
) -> None:
    await session.execute(sa.delete(ProjectGoal).where(ProjectGoal.project_id == project.id))
    if goal_ids:
        await session.execute(
            insert(ProjectGoal)
            .values(
                [
                    {
                        "project_id": project.id,
                        "goal_id": g,
                        "company_id": project.company_id,
                        "created_at": now + timedelta(microseconds=i),
                    }
                    for i, g in enumerate(goal_ids)
                ]
            )
            .on_conflict_do_nothing()
        )


async def create_project(
    session: AsyncSession,
    actor: Actor,
    company_id: uuid.UUID,
    body: ProjectCreate,
    now: datetime,
    *,
    strict_secrets: bool,
) -> Project:
    await get_company(session, actor, company_id)
    env = (
        None
        if body.env is None
        else await normalize_env(session, company_id, body.env, strict=strict_secrets, field="")
    )
    if body.leadAgentId is not None:
        await require_same_company(session, Agent, body.leadAgentId, company_id, "Lead agent")
    goals = _wanted_goals(body) or []
    await _check_goals(session, company_id, goals)
    project = Project(
        id=uuid.uuid4(),
        company_id=company_id,
        name=body.name,
        description=body.description,
        url_key=await free_url_key(session, company_id, body.name),
        status=body.status,
        lead_agent_id=body.leadAgentId,
        target_date=body.targetDate,
        color=body.color,
        icon=body.icon,
        env=env,
        goal_id=goals[0] if goals else None,
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    await session.flush()
    if goals:
        await _write_goal_links(session, project, goals, now)
    await record(
        session,
        actor,
        company_id=company_id,
        action="project.created",
        entity_type="project",
        entity_id=project.id,
        details={"name": project.name},
    )
    return project


async def update_project(
    session: AsyncSession,
    actor: Actor,
    project_id: uuid.UUID,
    body: ProjectPatch,
    now: datetime,
    *,
    strict_secrets: bool,
) -> Project:
    project = await get_project(session, actor, project_id, for_update=True)
    if body.sent("env") and body.env is not None:
        body.env = await normalize_env(
            session,
            project.company_id,
            _kept_secrets(body.env, project.env),
            strict=strict_secrets,
            unchanged=project.env,
            field="",
        )
    if (
        body.sent("leadAgentId")
        and body.leadAgentId is not None
        and body.leadAgentId != project.lead_agent_id
    ):
        await require_same_company(session, Agent, body.leadAgentId, project.company_id, "Lead agent")
    changed = [f for f in _FIELDS if body.sent(f) and getattr(project, _FIELDS[f]) != getattr(body, f)]
    for field in changed:
        setattr(project, _FIELDS[field], getattr(body, field))
    if "name" in changed:
        project.url_key = await free_url_key(session, project.company_id, project.name, exclude=project.id)
    goals = _wanted_goals(body)
    if goals is not None:
        await _check_goals(session, project.company_id, goals)
        await _write_goal_links(session, project, goals, now)
        project.goal_id = goals[0] if goals else None
        changed += [f for f in ("goalIds", "goalId") if body.sent(f)]
    project.updated_at = now
    await session.flush()
    await record(
        session,
        actor,
        company_id=project.company_id,
        action="project.updated",
        entity_type="project",
        entity_id=project.id,
        details={"changedKeys": changed},
    )
    return project


def _kept_secrets(env: dict[str, Any], stored: dict[str, Any] | None) -> dict[str, Any]:
    """A client sending back what it read keeps the stored binding where it sent the placeholder."""
    stored = stored or {}
    return {k: (stored[k] if is_redacted_env_value(v) and k in stored else v) for k, v in env.items()}


async def delete_project(
    session: AsyncSession, actor: Actor, project_id: uuid.UUID
) -> tuple[Project, GoalLinks]:
    project = await get_project(session, actor, project_id, for_update=True)
    links = await goal_links(session, [project.id])
    await record(
        session,
        actor,
        company_id=project.company_id,
        action="project.deleted",
        entity_type="project",
        entity_id=project.id,
        details={"name": project.name},
    )
    await session.execute(sa.delete(Project).where(Project.id == project.id))
    return project, links
