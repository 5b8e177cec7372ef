"""/api/companies/{id}/projects and /api/projects/{id} routes."""

from __future__ import annotations

import uuid

from paperclip.api.deps import DB, ActorDep, Now, SettingsDep
from paperclip.api.paging import PageDep
from paperclip.api.responses import returns
from paperclip.auth.ids import path_uuid
from paperclip.errors import NotFound
from paperclip.feature_router import FeatureRouter
from paperclip.projects import service
from paperclip.projects.schemas import ProjectCreate, ProjectPatch, project_to_wire
from paperclip.projects.url_keys import resolve_project_ref

router = FeatureRouter(tags=["projects"])
PROJECT = "Project not found"
COMPANY = "Company not found"


async def _one(session, project):
    links = await service.goal_links(session, [project.id])
    return project_to_wire(project, links.get(project.id, []))


@router.get("/companies/{company_id}/projects")
@returns("list[Project]")
async def list_projects(
    company_id: str, session: DB, actor: ActorDep, page: PageDep, includeArchived: bool = False
):
    # as the original: archived projects only when asked for
    projects, links = await service.list_projects(
        session, actor, path_uuid(company_id, COMPANY), include_archived=includeArchived, window=page.window
    )
    return page.respond([project_to_wire(p, links.get(p.id, [])) for p in projects])


@router.post("/companies/{company_id}/projects", status_code=201)
@returns("Project")
async def create_project(
    company_id: str, body: ProjectCreate, session: DB, actor: ActorDep, settings: SettingsDep, now: Now
):
    return await _one(
        session,
        await service.create_project(
            session,
            actor,
            path_uuid(company_id, COMPANY),
            body,
            now,
            strict_secrets=settings.secrets.strict_mode,
        ),
    )


async def _ref(session, actor, project_id: str, company_id: str | None):
    """A project UUID, or its URL key in ?companyId= (an agent's own company by default)."""
    if len(project_id) > 200:
        raise NotFound(PROJECT)
    company = path_uuid(company_id, COMPANY) if company_id else (actor.company_id if actor.is_agent else None)
    if company is not None and not _is_uuid(project_id):
        actor.require_company(company)
    return await resolve_project_ref(session, project_id, company)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@router.get("/projects/{project_id}")
@returns("Project")
async def get_project(project_id: str, session: DB, actor: ActorDep, companyId: str | None = None):  # noqa: N803
    ref = await _ref(session, actor, project_id, companyId)
    return await _one(session, await service.get_project(session, actor, ref))


@router.patch("/projects/{project_id}")
@returns("Project")
async def update_project(
    project_id: str,
    body: ProjectPatch,
    session: DB,
    actor: ActorDep,
    settings: SettingsDep,
    now: Now,
    companyId: str | None = None,
):  # noqa: N803
    ref = await _ref(session, actor, project_id, companyId)
    return await _one(
        session,
        await service.update_project(
            session, actor, ref, body, now, strict_secrets=settings.secrets.strict_mode
        ),
    )


@router.delete("/projects/{project_id}")
@returns("Project")
async def delete_project(project_id: str, session: DB, actor: ActorDep, companyId: str | None = None):  # noqa: N803
    project, links = await service.delete_project(
        session, actor, await _ref(session, actor, project_id, companyId)
    )
    return project_to_wire(project, links.get(project.id, []))
