"""Goals: the company's goal hierarchy as a tree with a create form; a goal's detail (sub-goals,
projects, issues) with its edit form.

    /<P>/goals    /<P>/goals/<id>
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter

from paperclip.db.models import Agent, Goal, Issue, Project, ProjectGoal
from paperclip.errors import NotFound
from paperclip.goals import service as goals
from paperclip.goals.schemas import GoalCreate, GoalPatch
from paperclip.web.context import CompanyPage, Page
from paperclip.web.forms import FormData, form_data
from paperclip.web.pages.agents import agent_hrefs
from paperclip.web.pages.formkit import WRITE, body, field_error, optional_uuid, render_page
from paperclip.web.render import done

router = APIRouter()
LEVELS = ["company", "team", "agent", "task"]
STATUSES = ["planned", "active", "achieved", "cancelled"]
MAX_GOALS = 2000


def build_tree(rows: list[Goal]) -> list[dict[str, Any]]:
    """Goals nested under their parents (a goal whose parent is missing is a root)."""
    nodes: dict[uuid.UUID, dict[str, Any]] = {g.id: {"goal": g, "children": []} for g in rows}
    roots: list[dict[str, Any]] = []
    for g in rows:
        parent = nodes.get(g.parent_id) if g.parent_id else None
        (parent["children"] if parent is not None else roots).append(nodes[g.id])
    return roots


def _fields(form: FormData) -> dict[str, Any]:
    level, status = form.text("level") or "task", form.text("status") or "planned"
    if level not in LEVELS:
        raise field_error("level", "Choose a level from the list")
    if status not in STATUSES:
        raise field_error("status", "Choose a status from the list")
    return {
        "title": form.text("title"),
        "description": form.text("description") or None,
        "level": level,
        "status": status,
        "parentId": optional_uuid(form, "parentId"),
        "ownerAgentId": optional_uuid(form, "ownerAgentId"),
    }


async def _choices(page: Page) -> dict[str, Any]:
    agents = list(
        await page.session.scalars(
            sa.select(Agent)
            .where(Agent.company_id == page.company.id, Agent.status != "terminated")
            .order_by(Agent.name)
        )
    )
    return {"agents": agents, "levels": LEVELS, "statuses": STATUSES}


@router.get("/{prefix}/goals")
async def goal_tree(page: CompanyPage):
    rows = list(
        await page.session.scalars(
            sa.select(Goal)
            .where(Goal.company_id == page.company.id)
            .order_by(Goal.created_at, Goal.id)
            .limit(MAX_GOALS + 1)
        )
    )
    truncated = len(rows) > MAX_GOALS
    rows = rows[:MAX_GOALS]
    names = {a.id: a.name for a in (await _choices(page))["agents"]}
    return await render_page(
        page,
        "goals/tree.html",
        tree=build_tree(rows),
        all_goals=rows,
        names=names,
        hrefs=await agent_hrefs(page),
        truncated=truncated,
        **await _choices(page),
    )


@router.post("/{prefix}/goals", dependencies=WRITE)
async def create_goal(page: CompanyPage):
    form = await form_data(page.request)
    goal = await goals.create_goal(
        page.session, page.actor, page.company.id, body(GoalCreate, _fields(form)), page.now
    )
    return done(
        page.request, f"/{page.prefix}/goals/{goal.id}" if form.text("open") else f"/{page.prefix}/goals"
    )


async def find_goal(page: Page, goal_id: str) -> Goal:
    try:
        gid = uuid.UUID(goal_id)
    except ValueError:
        raise NotFound("Goal not found") from None
    goal = await page.session.get(Goal, gid)
    if goal is None or goal.company_id != page.company.id:
        raise NotFound("Goal not found")
    return goal


@router.get("/{prefix}/goals/{goal_id}")
async def goal_detail(page: CompanyPage, goal_id: str):
    goal = await find_goal(page, goal_id)
    session = page.session
    all_goals = list(
        await session.scalars(
            sa.select(Goal).where(Goal.company_id == page.company.id).order_by(Goal.title).limit(MAX_GOALS)
        )
    )
    by_id = {g.id: g for g in all_goals}
    chain: list[Goal] = []
    cursor = by_id.get(goal.parent_id) if goal.parent_id else None
    while cursor is not None and len(chain) < 50:
        chain.insert(0, cursor)
        cursor = by_id.get(cursor.parent_id) if cursor.parent_id else None
    children = [g for g in all_goals if g.parent_id == goal.id]
    linked = list(
        await session.scalars(
            sa.select(Project)
            .join(ProjectGoal, ProjectGoal.project_id == Project.id)
            .where(ProjectGoal.goal_id == goal.id)
            .order_by(Project.name)
        )
    )
    issues = list(
        await session.scalars(
            sa.select(Issue).where(Issue.goal_id == goal.id).order_by(Issue.updated_at.desc()).limit(25)
        )
    )
    descendants = _descendants(goal.id, all_goals)
    choices = await _choices(page)
    return await render_page(
        page,
        "goals/detail.html",
        goal=goal,
        chain=chain,
        children=children,
        projects=linked,
        issues=issues,
        parents=[g for g in all_goals if g.id != goal.id and g.id not in descendants],
        names={a.id: a.name for a in choices["agents"]},
        hrefs=await agent_hrefs(page),
        **choices,
    )


def _descendants(goal_id: uuid.UUID, rows: list[Goal]) -> set[uuid.UUID]:
    out, frontier = set(), {goal_id}
    while frontier:
        frontier = {g.id for g in rows if g.parent_id in frontier and g.id not in out}
        out |= frontier
    return out


@router.post("/{prefix}/goals/{goal_id}", dependencies=WRITE)
async def update_goal(page: CompanyPage, goal_id: str):
    goal = await find_goal(page, goal_id)
    form = await form_data(page.request)
    await goals.update_goal(page.session, page.actor, goal.id, body(GoalPatch, _fields(form)), page.now)
    return done(page.request, f"/{page.prefix}/goals/{goal.id}")


@router.post("/{prefix}/goals/{goal_id}/delete", dependencies=WRITE)
async def delete_goal(page: CompanyPage, goal_id: str):
    goal = await find_goal(page, goal_id)
    await goals.delete_goal(page.session, page.actor, goal.id)
    return done(page.request, f"/{page.prefix}/goals")
