"""Projects: the list with work counts and a create form; a project's overview, issues, configuration
(fields, goals, env bindings, archive) and budget.

    /<P>/projects    /<P>/projects/<id>[/overview|issues|configuration|budget]
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter

from paperclip.costs import budgets
from paperclip.costs.budget_overview import overview as budget_overview
from paperclip.db.models import Agent, Goal, Issue, Project
from paperclip.errors import NotFound
from paperclip.projects import service as projects
from paperclip.projects.schemas import ProjectCreate, ProjectPatch
from paperclip.web import queries
from paperclip.web.context import CompanyPage, Page
from paperclip.web.forms import FormData, form_data
from paperclip.web.pages.agent_config_form import company_secrets, env_rows, parse_env
from paperclip.web.pages.agents import agent_hrefs
from paperclip.web.pages.formkit import (
    WRITE,
    body,
    cents,
    field_error,
    optional_uuid,
    render_page,
    strict_secrets,
)
from paperclip.web.pages.formkit import Page as Pager
from paperclip.web.render import done

router = APIRouter()
STATUSES = ["backlog", "planned", "in_progress", "completed", "cancelled"]
TABS = ("overview", "issues", "configuration", "budget")
OPEN_ISSUE = ("backlog", "todo", "in_progress", "in_review", "blocked")


async def _choices(page: Page) -> dict[str, Any]:
    agents = list(
        await page.session.scalars(
            sa.select(Agent)
            .where(Agent.company_id == page.company.id, Agent.status != "terminated")
            .order_by(Agent.name)
        )
    )
    goals = list(
        await page.session.scalars(
            sa.select(Goal).where(Goal.company_id == page.company.id).order_by(Goal.title)
        )
    )
    return {"agents": agents, "goals": goals, "statuses": STATUSES}


def _fields(form: FormData) -> dict[str, Any]:
    status = form.text("status") or "backlog"
    if status not in STATUSES:
        raise field_error("status", "Choose a status from the list")
    goal_ids = []
    for raw in form.getlist("goalIds"):
        try:
            goal_ids.append(uuid.UUID(raw))
        except ValueError:
            raise field_error("goalIds", "Choose goals from the list") from None
    target = form.text("targetDate") or None
    return {
        "name": form.text("name"),
        "description": form.text("description") or None,
        "status": status,
        "leadAgentId": optional_uuid(form, "leadAgentId"),
        "targetDate": target,
        "goalIds": goal_ids,
        "color": form.text("color") or None,
    }


@router.get("/{prefix}/projects")
async def project_list(page: CompanyPage):
    pager = Pager.of(page.request, 50)
    rows = list(
        await page.session.scalars(
            sa.select(Project)
            .where(Project.company_id == page.company.id)
            .order_by(Project.archived_at.is_not(None), Project.created_at, Project.id)
            .limit(pager.fetch)
            .offset(pager.offset)
        )
    )
    items, has_next = pager.window(rows)
    counts: dict[uuid.UUID, dict[str, int]] = {}
    if items:
        result = await queries.ISSUE_COUNTS_BY_PROJECT_AND_STATUS.fetch(
            page.session, project_ids=[p.id for p in items]
        )
        for r in result:
            counts.setdefault(r["project_id"], {})[r["status"]] = r["n"]
    links = await projects.goal_links(page.session, [p.id for p in items])
    return await render_page(
        page,
        "projects/list.html",
        projects=items,
        pager=pager,
        has_next=has_next,
        counts=counts,
        links=links,
        hrefs=await agent_hrefs(page),
        open_statuses=OPEN_ISSUE,
        **await _choices(page),
    )


@router.post("/{prefix}/projects", dependencies=WRITE)
async def create_project(page: CompanyPage):
    form = await form_data(page.request)
    data = _fields(form)
    project = await projects.create_project(
        page.session,
        page.actor,
        page.company.id,
        body(ProjectCreate, data),
        page.now,
        strict_secrets=strict_secrets(page),
    )
    return done(page.request, f"/{page.prefix}/projects/{project.id}")


async def find_project(page: Page, project_id: str) -> Project:
    try:
        pid = uuid.UUID(project_id)
    except ValueError:
        raise NotFound("Project not found") from None
    project = await page.session.get(Project, pid)
    if project is None or project.company_id != page.company.id:
        raise NotFound("Project not found")
    return project


async def _project_page(page: Page, project_id: str, tab: str):
    if tab not in TABS:
        raise NotFound("Page not found")
    project = await find_project(page, project_id)
    session = page.session
    links = (await projects.goal_links(session, [project.id])).get(project.id, [])
    counts = {
        r["status"]: r["n"]
        for r in await queries.ISSUE_COUNTS_BY_PROJECT_AND_STATUS.fetch(session, project_ids=[project.id])
    }
    ctx: dict[str, Any] = {
        "project": project,
        "tab": tab,
        "tabs": TABS,
        "goal_links": links,
        "counts": counts,
        "hrefs": await agent_hrefs(page),
        "lead": await session.get(Agent, project.lead_agent_id) if project.lead_agent_id else None,
    }
    if tab in ("overview", "issues"):
        pager = Pager.of(page.request, 10 if tab == "overview" else 50)
        stmt = sa.select(Issue).where(Issue.project_id == project.id)
        if tab == "overview":
            stmt = stmt.where(Issue.status.in_(OPEN_ISSUE))
        rows = list(
            await session.scalars(
                stmt.order_by(Issue.updated_at.desc(), Issue.id).limit(pager.fetch).offset(pager.offset)
            )
        )
        ctx["issues"], ctx["has_next"] = pager.window(rows)
        ctx["pager"] = pager
        names = await queries.AGENT_NAMES.fetch(session, cid=page.company.id)
        ctx["names"] = {r["id"]: r["name"] for r in names}
    if tab == "configuration":
        ctx.update(await _choices(page))
        ctx["env"] = env_rows({"env": project.env or {}})
        ctx["secrets"] = await company_secrets(session, page.actor, page.company.id)
        ctx["linked_goal_ids"] = {g for g, _ in links}
    if tab == "budget":
        data = await budget_overview(session, page.company.id, page.now)
        ctx["policies"] = [p for p in data["policies"] if p["scopeId"] == str(project.id)]
        ctx["incidents"] = [i for i in data["activeIncidents"] if i["scopeId"] == str(project.id)]
    return await render_page(page, f"projects/tab_{tab}.html", **ctx)


@router.get("/{prefix}/projects/{project_id}")
async def project_detail(page: CompanyPage, project_id: str):
    return await _project_page(page, project_id, "overview")


@router.get("/{prefix}/projects/{project_id}/{tab}")
async def project_tab(page: CompanyPage, project_id: str, tab: str):
    return await _project_page(page, project_id, tab)


@router.post("/{prefix}/projects/{project_id}", dependencies=WRITE)
async def update_project(page: CompanyPage, project_id: str):
    project = await find_project(page, project_id)
    form = await form_data(page.request)
    data = _fields(form)
    data["env"] = parse_env(form, project.env or {}) or None
    await projects.update_project(
        page.session,
        page.actor,
        project.id,
        body(ProjectPatch, data),
        page.now,
        strict_secrets=strict_secrets(page),
    )
    return done(page.request, f"/{page.prefix}/projects/{project.id}/configuration")


@router.post("/{prefix}/projects/{project_id}/archive", dependencies=WRITE)
async def archive_project(page: CompanyPage, project_id: str):
    project = await find_project(page, project_id)
    patch = {"archivedAt": None if project.archived_at else page.now.isoformat()}
    await projects.update_project(
        page.session,
        page.actor,
        project.id,
        body(ProjectPatch, patch),
        page.now,
        strict_secrets=strict_secrets(page),
    )
    return done(page.request, f"/{page.prefix}/projects/{project.id}")


@router.post("/{prefix}/projects/{project_id}/budget", dependencies=WRITE)
async def project_budget(page: CompanyPage, project_id: str):
    project = await find_project(page, project_id)
    form = await form_data(page.request)
    await budgets.upsert_budget_policy(
        page.session, page.actor, page.company.id, "project", project.id, cents(form, "amount"), now=page.now
    )
    return done(page.request, f"/{page.prefix}/projects/{project.id}/budget")
