"""GET routes the original's board client reads on every page (adapters, instance settings, sidebar,
plugins, announcements, user directory), at the original's paths and shapes."""

from __future__ import annotations

from typing import Any

from fastapi import Query

from paperclip.api.deps import DB, ActorDep
from paperclip.appshell import service
from paperclip.errors import BadRequest
from paperclip.feature_router import FeatureRouter
from paperclip.ids import path_uuid

router = FeatureRouter(tags=["app-shell"])


def _company(actor, company_id: str):
    cid = path_uuid(company_id, "Company not found")
    actor.require_company(cid)
    return cid


@router.get("/adapters")
async def list_adapters(actor: ActorDep) -> list[dict[str, Any]]:
    actor.require_board()
    return service.adapter_list()


@router.get("/plugins")
async def list_plugins(actor: ActorDep) -> list[Any]:
    actor.require_board()
    return []  # no plugin runtime: an instance without plugins


@router.get("/plugins/ui-contributions")
async def plugin_ui_contributions(actor: ActorDep) -> list[Any]:
    actor.require_board()
    return []


@router.get("/announcements/current")
async def current_announcement(actor: ActorDep) -> None:
    actor.require_board()
    return None


@router.get("/companies/{company_id}/resource-memberships/me")
async def resource_memberships(company_id: str, actor: ActorDep) -> dict[str, Any]:
    actor.require_board()
    _company(actor, company_id)
    return service.EMPTY_RESOURCE_MEMBERSHIPS


@router.get("/companies/{company_id}/inbox-dismissals")
async def inbox_dismissals(company_id: str, actor: ActorDep) -> list[Any]:
    actor.require_board()
    _company(actor, company_id)
    return []  # nothing can be dismissed yet: no dismissal route exists


@router.get("/companies/{company_id}/sidebar-badges")
async def sidebar_badges(company_id: str, session: DB, actor: ActorDep) -> dict[str, int]:
    return await service.sidebar_badges(session, actor, _company(actor, company_id))


@router.get("/companies/{company_id}/user-directory")
async def user_directory(company_id: str, session: DB, actor: ActorDep) -> dict[str, Any]:
    return await service.user_directory(session, _company(actor, company_id))


# Skills: we ship no skill library (bundled or catalog) and no adapter of ours syncs skills, so the
# lists are empty and the agent's state says unsupported; the original's pages render that as such.
@router.get("/companies/{company_id}/skills")
async def company_skills(company_id: str, actor: ActorDep) -> list[Any]:
    _company(actor, company_id)
    return []


@router.get("/skills/catalog")
async def skills_catalog(actor: ActorDep) -> list[Any]:
    actor.require_board()
    return []


@router.get("/companies/{company_id}/folders")
async def company_folders(
    company_id: str, actor: ActorDep, kind: str | None = Query(None, max_length=64)
) -> dict[str, Any]:
    _company(actor, company_id)
    if not kind:
        raise BadRequest("Folder kind query parameter is required")
    return {"kind": kind, "folders": [], "allCount": 0, "unfiledCount": 0}


@router.get("/agents/{agent_id}/skills")
async def agent_skills(
    agent_id: str, session: DB, actor: ActorDep, companyId: str | None = None
) -> dict[str, Any]:
    if companyId:  # the original's board client names the company it is looking at
        _company(actor, companyId)
    return await service.agent_skills(session, actor, path_uuid(agent_id, "Agent not found"))
