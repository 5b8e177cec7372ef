"""/api/companies/{id}/projects and /api/projects/{id} routes."""

from __future__ import annotations

from fastapi import APIRouter

from paperclip.api.deps import DB, ActorDep, Now, SettingsDep
from paperclip.auth.ids import path_uuid
from paperclip.projects import service
from paperclip.projects.schemas import ProjectCreate, ProjectPatch, project_to_wire

router = APIRouter(tags=["projects"])
PROJECT = "Project not found"
COMPANY = "Company not found"


async def _one(session, project):
    links = await service.goal_links(session, [project.id])
    return project_to_wire(project, links.get(project.id, []))


@router.get("/companies/{company_id}/projects")
async def list_projects(company_id: str, session: DB, actor: ActorDep):
    projects, links = await service.list_projects(session, actor, path_uuid(company_id, COMPANY))
    return [project_to_wire(p, links.get(p.id, [])) for p in projects]


@router.post("/companies/{company_id}/projects", status_code=201)
async def create_project(company_id: str, body: ProjectCreate, session: DB, actor: ActorDep, settings: SettingsDep,
                         now: Now):
    return await _one(session, await service.create_project(session, actor, path_uuid(company_id, COMPANY), body, now,
                                                            strict_secrets=settings.secrets.strict_mode))


@router.get("/projects/{project_id}")
async def get_project(project_id: str, session: DB, actor: ActorDep):
    return await _one(session, await service.get_project(session, actor, path_uuid(project_id, PROJECT)))


@router.patch("/projects/{project_id}")
async def update_project(project_id: str, body: ProjectPatch, session: DB, actor: ActorDep, settings: SettingsDep,
                         now: Now):
    return await _one(session, await service.update_project(session, actor, path_uuid(project_id, PROJECT), body, now,
                                                            strict_secrets=settings.secrets.strict_mode))


@router.delete("/projects/{project_id}")
async def delete_project(project_id: str, session: DB, actor: ActorDep):
    project, links = await service.delete_project(session, actor, path_uuid(project_id, PROJECT))
    return project_to_wire(project, links.get(project.id, []))
